package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/qbosync/qbosync/internal/app"
	"github.com/qbosync/qbosync/internal/cli"
	"github.com/qbosync/qbosync/internal/connect"
	"github.com/qbosync/qbosync/internal/qbosim"
	"github.com/qbosync/qbosync/internal/store"
)

func connectCmd(flags *cli.Flags) *cobra.Command {
	var firm int64
	var approve bool
	var company string
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "connect --firm ID",
		Short: "Connect a firm to a QuickBooks company (OAuth sign-in in a browser)",
		Long: `Connect a firm to a QuickBooks company.

It prints the QuickBooks sign-in address and waits for the browser to come back to
qbosync's callback (qbo.redirect_url). Against the local sandbox, --approve chooses the
company (--company, or the first) and approves on the consent page, as a user would.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := flags.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			if !approve {
				company = ""
			}
			conn, err := connectFirm(cmd.Context(), cmd.OutOrStdout(), a, firm, approve, company, wait)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "firm %d is connected to %q (company %s)\n", firm, conn.CompanyName, conn.RealmID)
			return nil
		},
	}
	cmd.Flags().Int64Var(&firm, "firm", 0, "the firm's id (required)")
	cmd.Flags().BoolVar(&approve, "approve", false, "sandbox only: approve the sign-in without a browser")
	cmd.Flags().StringVar(&company, "company", "", "with --approve: the sandbox company to choose (default: the first)")
	cmd.Flags().DurationVar(&wait, "wait", 10*time.Minute, "how long to wait for the sign-in")
	_ = cmd.MarkFlagRequired("firm")
	return cmd
}

// connectFirm runs the sign-in: a callback server on the redirect address receives
// the code; the user's browser, or the sandbox approval, gets it there.
func connectFirm(ctx context.Context, out io.Writer, a *app.App, firm int64, approve bool, company string, wait time.Duration) (store.Connection, error) {
	flow := &connect.Flow{OAuth: a.QBO.OAuth(), APIBaseURL: a.Config.QBO.APIBaseURL, Store: a.Store, Limiter: a.QBO.Limiter}
	authURL, err := flow.Begin(ctx, firm)
	if err != nil {
		return store.Connection{}, err
	}
	redirect, err := url.Parse(a.Config.QBO.RedirectURL)
	if err != nil {
		return store.Connection{}, err
	}
	ln, err := net.Listen("tcp", redirect.Host)
	if err != nil {
		return store.Connection{}, fmt.Errorf("connect: cannot listen on %s for the sign-in callback (qbo.redirect_url): %w", redirect.Host, err)
	}
	type result struct {
		conn store.Connection
		err  error
	}
	done := make(chan result, 1)
	mux := http.NewServeMux()
	mux.HandleFunc(redirect.Path, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if e := q.Get("error"); e != "" {
			done <- result{err: fmt.Errorf("connect: QuickBooks answered %q: the sign-in was declined", e)}
			http.Error(w, "The connection was declined. You can close this window.", http.StatusOK)
			return
		}
		conn, err := flow.Complete(r.Context(), firm, q.Get("state"), q.Get("code"), q.Get("realmId"))
		done <- result{conn, err}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, "qbosync is connected to %s. You can close this window.\n", conn.CompanyName)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	if approve {
		go func() {
			if err := qbosim.Approve(ctx, http.DefaultClient, authURL, company); err != nil {
				done <- result{err: fmt.Errorf("connect: sandbox approval: %w", err)}
			}
		}()
	} else {
		fmt.Fprintf(out, "Open this address in a browser and choose the company:\n\n  %s\n\nWaiting for the sign-in...\n", authURL)
	}
	select {
	case r := <-done:
		return r.conn, r.err
	case <-time.After(wait):
		return store.Connection{}, errors.New("connect: no sign-in arrived in time; run connect again")
	case <-ctx.Done():
		return store.Connection{}, ctx.Err()
	}
}
