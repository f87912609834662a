package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/qbosync/qbosync/internal/admin"
	"github.com/qbosync/qbosync/internal/app"
	"github.com/qbosync/qbosync/internal/cli"
	"github.com/qbosync/qbosync/internal/connect"
	"github.com/qbosync/qbosync/internal/secret"
	"github.com/qbosync/qbosync/internal/termsafe"
	"github.com/qbosync/qbosync/internal/web"
)

// serveCmd runs the setup wizard's web server.
func serveCmd(flags *cli.Flags) *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the setup wizard's web server (pages, QuickBooks sign-in callback, JSON API)",
		Long: `Run the setup wizard's web server.

It listens where qbo.redirect_url points (default 127.0.0.1:8090), so QuickBooks' sign-in
comes back to it; the callback is served at that URL's path. Firms' users sign in with
a link from "starter web-login --firm ID"; each sees and changes only its firm's setup.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withWizard(cmd, flags, func(s *session, wz *web.Wizard) error {
				redirect, sessions, err := webSetup(s)
				if err != nil {
					return err
				}
				srv := &web.Server{
					Wizard:        wz,
					Console:       &app.Console{Store: s.Store, Temporal: wz.Temporal, TaskQueue: wz.TaskQueue},
					Connect:       &connect.Flow{OAuth: s.QBO.OAuth(), APIBaseURL: s.Config.QBO.APIBaseURL, Store: s.Store},
					Sessions:      sessions,
					Log:           s.Log,
					CallbackPath:  redirect.Path,
					SecureCookies: redirect.Scheme == "https",
					SignInOrigin:  originOf(s.Config.QBO.AuthURL),
				}
				if listen == "" {
					listen = redirect.Host
				}
				adm, err := startAdmin(s, wz, listen)
				if err != nil {
					return err
				}
				defer adm.Close()
				go purgeSignIns(cmd.Context(), s, time.Hour)
				return serveHTTP(cmd, listen, srv.Handler(),
					fmt.Sprintf("setup wizard on http://%s (sign in with `starter web-login --firm ID`)", listen))
			})
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "", "host:port to listen on (default: the host of qbo.redirect_url)")
	return cmd
}

// startAdmin starts the wizard server's admin listener (metrics, health), when
// admin.listen is set. It is never the address firms reach: the metrics tell about
// every firm, and the readiness check about the server's dependencies.
func startAdmin(s *session, wz *web.Wizard, public string) (*admin.Server, error) {
	addr := s.Config.Admin.Listen
	if addr != "" && sameAddress(addr, public) {
		return nil, fmt.Errorf("admin.listen (QBOSYNC_ADMIN_LISTEN, --admin-listen) is %s, the wizard's public address; "+
			"give the admin endpoints a private address of their own, such as 127.0.0.1:9465", addr)
	}
	return admin.Start(addr, admin.Handler(s.Metrics, admin.Database(s.DB), admin.Temporal(wz.Temporal)), s.Log)
}

// sameAddress reports whether two host:port addresses would listen on the same port
// of one interface (an empty or unspecified host is every interface).
func sameAddress(a, b string) bool {
	ha, pa, errA := net.SplitHostPort(a)
	hb, pb, errB := net.SplitHostPort(b)
	if errA != nil || errB != nil || pa != pb {
		return false
	}
	every := func(h string) bool { return h == "" || h == "0.0.0.0" || h == "::" }
	return ha == hb || every(ha) || every(hb)
}

// webLoginCmd prints a firm's sign-in link for the wizard.
func webLoginCmd(flags *cli.Flags) *cobra.Command {
	var firm int64
	var ttl time.Duration
	var base string
	cmd := &cobra.Command{
		Use:   "web-login --firm ID",
		Short: "Print a sign-in link to the firm's setup wizard (works once, expires soon)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := openSession(cmd.Context(), flags)
			if err != nil {
				return err
			}
			defer s.Close()
			var name string
			err = s.DB.GetContext(cmd.Context(), &name, `SELECT name FROM firms WHERE id = $1`, firm)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("there is no firm %d", firm)
			}
			if err != nil {
				return err
			}
			redirect, sessions, err := webSetup(s)
			if err != nil {
				return err
			}
			if base == "" {
				base = (&url.URL{Scheme: redirect.Scheme, Host: redirect.Host}).String()
			}
			tok, exp := sessions.LoginToken(firm, ttl)
			fmt.Fprintf(cmd.OutOrStdout(), "Sign-in link for %s (firm %d), valid once until %s\n(it opens a page whose Continue button signs in):\n\n  %s/login?token=%s\n",
				termsafe.String(name), firm, exp.Format(time.RFC3339), base, url.QueryEscape(tok))
			return nil
		},
	}
	cmd.Flags().Int64Var(&firm, "firm", 0, "the firm's id (required)")
	cmd.Flags().DurationVar(&ttl, "ttl", web.DefaultLoginTTL, "how long the link works")
	cmd.Flags().StringVar(&base, "base-url", "", "the wizard's address as users reach it (default: from qbo.redirect_url)")
	_ = cmd.MarkFlagRequired("firm")
	return cmd
}

// webSetup reads what the web side needs from the configuration: where QuickBooks
// sends users back, and the sessions, keyed from the secrets key.
func webSetup(s *session) (*url.URL, *web.Sessions, error) {
	redirect, err := url.Parse(s.Config.QBO.RedirectURL)
	if err != nil {
		return nil, nil, fmt.Errorf("qbo.redirect_url: %w", err)
	}
	c := s.Config.Secrets
	key, err := secret.LoadKey(c.Key, c.KeyFile, c.GenerateKey)
	if err != nil {
		return nil, nil, err
	}
	sessions, err := web.NewSessions(key, s.Store)
	return redirect, sessions, err
}

// serveHTTP serves h on listen until the command is interrupted, after saying what is
// being served (banner).
func serveHTTP(cmd *cobra.Command, listen string, h http.Handler, banner string) error {
	srv := &http.Server{Addr: listen, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	fmt.Fprintln(cmd.OutOrStdout(), banner)
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-cmd.Context().Done():
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// originOf is a URL's scheme://host, or "" when it has none.
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// purgeSignIns deletes ended web sessions, spent OAuth states and expired sign-in
// nonces now and every interval until ctx ends.
func purgeSignIns(ctx context.Context, s *session, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		p, err := s.Store.PurgeWebSignIns(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.Log.Error("purging ended web sign-ins", "error", err)
		case err == nil:
			s.Log.Debug("purged ended web sign-ins", "oauth_states", p.OAuthStates, "sessions", p.Sessions, "login_nonces", p.LoginNonces)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
