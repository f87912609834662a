package wake_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/mocks"

	"github.com/qbosync/qbosync/internal/wake"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

type connections struct{ realms map[int64][]string }

func (c connections) ConnectedRealms(_ context.Context, firm int64) ([]string, error) {
	return c.realms[firm], nil
}

func (c connections) ConnectedFirms(context.Context) ([]int64, error) {
	return []int64{1, 2}, nil
}

// signals records the workflow ids signalled, in order.
type signals struct {
	mu  sync.Mutex
	ids []string
}

func (s *signals) client() *mocks.Client {
	c := &mocks.Client{}
	c.On("SignalWorkflow", mock.Anything, mock.Anything, "", syncapi.SyncNowSignal, nil).Return(nil).Run(func(args mock.Arguments) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.ids = append(s.ids, args.String(1))
	})
	return c
}

func (s *signals) get() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ids...)
}

// Many changes of one firm within the window are one signal to its sync; a firm with
// no live connection is not signalled; a reconnect signals every connected firm.
func TestChangesFoldIntoOneSignalPerFirmAndAReconnectWakesEveryFirm(t *testing.T) {
	changes := make(chan wake.Change)
	var sent signals
	l := &wake.Listener{
		Changes:     changes,
		Connections: connections{realms: map[int64][]string{1: {"r1"}, 2: {"r2"}}},
		Temporal:    sent.client(),
		Log:         slog.New(slog.DiscardHandler),
		Window:      200 * time.Millisecond,
	}
	done := make(chan error)
	go func() { done <- l.Run(t.Context()) }()

	for range 5 {
		changes <- wake.Change{FirmID: 1}
	}
	changes <- wake.Change{FirmID: 3} // not connected
	time.Sleep(500 * time.Millisecond)
	if got := sent.get(); len(got) != 1 || got[0] != syncapi.SyncWorkflowID(1, "r1") {
		t.Fatalf("signals after five changes of firm 1 = %v, want one to its sync", got)
	}

	changes <- wake.Change{Reconnected: true}
	time.Sleep(100 * time.Millisecond)
	if got := sent.get(); len(got) != 3 || got[2] != syncapi.SyncWorkflowID(2, "r2") {
		t.Errorf("signals after a reconnect = %v, want every connected firm woken", got)
	}
	close(changes)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
