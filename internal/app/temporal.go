package app

import (
	"fmt"
	"log/slog"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
)

// DialTemporal connects to the Temporal frontend. The SDK's own metrics go to
// metrics (nil: none), e.g. App.Metrics.Temporal().
func DialTemporal(address, namespace string, log *slog.Logger, metrics client.MetricsHandler) (client.Client, error) {
	c, err := client.Dial(client.Options{
		HostPort:       address,
		Namespace:      namespace,
		Logger:         tlog.NewStructuredLogger(log),
		MetricsHandler: metrics,
	})
	if err != nil {
		return nil, fmt.Errorf("temporal: cannot connect to %s (temporal.address / QBOSYNC_TEMPORAL_ADDRESS; start the dev server with `make up`): %w", address, err)
	}
	return c, nil
}
