package qbosim

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// consentChoice matches one company on the consent page rendered by serveAuthorize.
var consentChoice = regexp.MustCompile(`name="realmId" value="([^"]+)"[^>]*> ([^<]*) \(`)

// consentHidden matches the hidden fields the consent form posts back.
var consentHidden = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// Approve plays the user on the sandbox's consent page: it opens authURL, chooses the
// company named company (the first one when company is empty), presses Connect, and
// follows the redirect to the application's callback. It lets scripts and tests
// connect without a browser while going through the same pages a browser would.
func Approve(ctx context.Context, client *http.Client, authURL, company string) error {
	page, err := fetch(ctx, client, http.MethodGet, authURL, nil)
	if err != nil {
		return err
	}
	form := url.Values{"decision": {"allow"}}
	for _, m := range consentHidden.FindAllStringSubmatch(page, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	var names []string
	for _, m := range consentChoice.FindAllStringSubmatch(page, -1) {
		name := html.UnescapeString(m[2])
		names = append(names, name)
		if company == "" || strings.EqualFold(name, company) {
			form.Set("realmId", html.UnescapeString(m[1]))
			break
		}
	}
	if form.Get("realmId") == "" {
		return fmt.Errorf("qbosim: no company named %q on the consent page (companies: %s)", company, strings.Join(names, ", "))
	}
	consentURL, err := url.Parse(authURL)
	if err != nil {
		return err
	}
	consentURL.RawQuery = ""
	// Post the form without following the redirect, then follow it ourselves, so a
	// callback failure is reported as such.
	noFollow := *client
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, consentURL.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := noFollow.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	callback := res.Header.Get("Location")
	if res.StatusCode != http.StatusFound || callback == "" {
		return fmt.Errorf("qbosim: consent answered %s, not a redirect", res.Status)
	}
	_, err = fetch(ctx, client, http.MethodGet, callback, nil)
	return err
}

func fetch(ctx context.Context, client *http.Client, method, target string, body io.Reader) (string, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return "", err
	}
	res, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return "", err
	}
	if res.StatusCode != http.StatusOK {
		return "", errors.New(res.Status + ": " + strings.TrimSpace(string(b)))
	}
	return string(b), nil
}
