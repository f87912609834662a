package wake_test

import (
	"context"
	"log/slog"
	"slices"
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

// signals records the workflow ids signalled, in order, and what each signal said.
type signals struct {
	mu   sync.Mutex
	ids  []string
	args []syncapi.SyncNow
}

func (s *signals) client() *mocks.Client {
	c := &mocks.Client{}
	c.On("SignalWorkflow", mock.Anything, mock.Anything, "", syncapi.SyncNowSignal, mock.Anything).Return(nil).Run(func(args mock.Arguments) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.ids = append(s.ids, args.String(1))
		s.args = append(s.args, args.Get(4).(syncapi.SyncNow))
	})
	return c
}

func (s *signals) said(i int) syncapi.SyncNow {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.args[i]
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

	for _, cat := range []string{"invoices", "", "contacts", "invoices", ""} {
		changes <- wake.Change{FirmID: 1, Category: cat}
	}
	changes <- wake.Change{FirmID: 3} // not connected
	time.Sleep(500 * time.Millisecond)
	if got := sent.get(); len(got) != 1 || got[0] != syncapi.SyncWorkflowID(1, "r1") {
		t.Fatalf("signals after five changes of firm 1 = %v, want one to its sync", got)
	}
	if got := sent.said(0).Categories; !slices.Equal(got, []string{"contacts", "invoices"}) {
		t.Errorf("the signal says %v changed, want the categories the changes named", got)
	}

	changes <- wake.Change{Reconnected: true}
	time.Sleep(100 * time.Millisecond)
	if got := sent.get(); len(got) != 3 || got[2] != syncapi.SyncWorkflowID(2, "r2") {
		t.Errorf("signals after a reconnect = %v, want every connected firm woken", got)
	} else if said := sent.said(2).Categories; said != nil {
		t.Errorf("a reconnect's signal says %v changed, want nothing known", said)
	}
	close(changes)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
