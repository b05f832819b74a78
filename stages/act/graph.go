package act

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/pipeline/config"
)

// GraphDirectory is Directory over Microsoft Graph v1.0. In production its
// requests go through the shared Graph client (NewGraphAPIDirectory); the
// built-in net/http transport (with Token) is a minimal fallback used by the
// fake-tenant tests. Either way the only retries made are the ones that are
// always safe — 429 (the request was not processed) and, for reads only, 5xx
// and network errors. A write that fails ambiguously is returned to the
// engine, which re-reads the user.
type GraphDirectory struct {
	// BaseURL is the Graph endpoint without the version, e.g.
	// https://graph.microsoft.com.
	BaseURL string
	HTTP    *http.Client
	Token   TokenSource
	// MaxAttempts bounds attempts per request (default 6).
	MaxAttempts int
	// MaxRetryAfter caps one wait for Retry-After (default 60 s).
	MaxRetryAfter time.Duration
	Logger        hclog.Logger
	// Transport, when set, sends every request instead of the built-in
	// net/http code (see NewGraphAPIDirectory); paths start with /v1.0 or
	// are absolute nextLinks.
	Transport func(ctx context.Context, method, path string, in, out any) error
	// MembershipCacheTTL is how long a group's member list is reused
	// (default 5 minutes; negative: never reused).
	MembershipCacheTTL time.Duration

	mu    sync.Mutex
	cache map[string]memberCache
	gen   map[string]int
}

// TokenSource returns a bearer token for Graph.
type TokenSource interface {
	Token(ctx context.Context, refresh bool) (string, error)
}

var _ Directory = (*GraphDirectory)(nil)

const userSelect = "id,userPrincipalName,accountEnabled,usageLocation,assignedLicenses,licenseAssignmentStates,signInActivity"

// attributesSelect is userSelect and every raw users column, signInActivity
// still last (the fallback without it strips it).
var attributesSelect = func() string {
	props := strings.Split(strings.TrimSuffix(userSelect, ",signInActivity"), ",")
	for _, p := range strings.Split(msgraph.UserSelect, ",") {
		if !slices.Contains(props, p) {
			props = append(props, p)
		}
	}
	return strings.Join(props, ",") + ",signInActivity"
}()

type graphUser struct {
	ID                string  `json:"id"`
	UserPrincipalName string  `json:"userPrincipalName"`
	AccountEnabled    bool    `json:"accountEnabled"`
	UsageLocation     *string `json:"usageLocation"`
	AssignedLicenses  []struct {
		SkuID         string   `json:"skuId"`
		DisabledPlans []string `json:"disabledPlans"`
	} `json:"assignedLicenses"`
	LicenseAssignmentStates []struct {
		SkuID           string   `json:"skuId"`
		AssignedByGroup *string  `json:"assignedByGroup"`
		DisabledPlans   []string `json:"disabledPlans"`
		State           string   `json:"state"`
	} `json:"licenseAssignmentStates"`
	// Timestamps stay strings: Microsoft writes "no value" as null, "" or
	// 0001-01-01T00:00:00Z (msgraph.ParseTime).
	SignInActivity *struct {
		LastNonInteractiveSignInDateTime *string `json:"lastNonInteractiveSignInDateTime"`
		LastSuccessfulSignInDateTime     *string `json:"lastSuccessfulSignInDateTime"`
	} `json:"signInActivity"`
}

// GetUser reads the user, falling back to a select without signInActivity
// when the tenant has no Entra ID P1 (then LastSignIn stays nil).
//
// With req.Attributes it also selects every raw users column
// (msgraph.UserSelect) and sets Row through msgraph.User, the mapping the
// extract stage uses, so a `when` reads the same values live as at plan time.
func (g *GraphDirectory) GetUser(ctx context.Context, req UserRequest) (*LiveUser, error) {
	sel := userSelect
	if req.Attributes {
		sel = attributesSelect
	}
	var body json.RawMessage
	err := g.do(ctx, http.MethodGet, "/v1.0/users/"+url.PathEscape(req.UserID)+"?$select="+sel, nil, &body)
	var ge *GraphError
	signIn := true
	if errors.As(err, &ge) && ge.Status == 403 && ge.Code == "Authentication_RequestFromNonPremiumTenantOrB2CTenant" {
		signIn = false
		err = g.do(ctx, http.MethodGet, "/v1.0/users/"+url.PathEscape(req.UserID)+"?$select="+strings.TrimSuffix(sel, ",signInActivity"), nil, &body)
	}
	if err != nil {
		return nil, fmt.Errorf("reading user %s: %w", req.UserID, err)
	}
	var gu graphUser
	if len(body) > 0 {
		if err := json.Unmarshal(body, &gu); err != nil {
			return nil, fmt.Errorf("reading user %s: %w", req.UserID, err)
		}
	}
	u, err := gu.live()
	if err != nil {
		return nil, fmt.Errorf("reading user %s: %w", req.UserID, err)
	}
	if req.Attributes {
		var au msgraph.User
		if err := json.Unmarshal(body, &au); err != nil {
			return nil, fmt.Errorf("reading user %s: %w", req.UserID, err)
		}
		row := au.Row(signIn)
		u.Row = &row
	}
	for _, grp := range req.MemberOf {
		m, err := g.members(ctx, grp, false)
		if err != nil {
			return nil, fmt.Errorf("reading members of group %s: %w", grp, err)
		}
		if m[strings.ToLower(u.ID)] {
			u.MemberOf = append(u.MemberOf, grp)
		}
	}
	for _, grp := range req.TransitiveMemberOf {
		m, err := g.members(ctx, grp, true)
		if errors.Is(err, ErrNotFound) {
			continue // a deleted group has no members
		}
		if err != nil {
			return nil, fmt.Errorf("reading members of group %s: %w", grp, err)
		}
		if m[strings.ToLower(u.ID)] {
			u.TransitiveMemberOf = append(u.TransitiveMemberOf, grp)
		}
	}
	return u, nil
}

// live checks and converts a user as read. A 200 without a user in it (an
// empty body, {}, an object without id) is an error, never a user without
// licences: apply would take it for "the licence is already gone".
func (gu *graphUser) live() (*LiveUser, error) {
	if gu.ID == "" {
		return nil, errors.New("the answer holds no user (empty body or no id)")
	}
	u := &LiveUser{ID: gu.ID, UserPrincipalName: gu.UserPrincipalName, AccountEnabled: gu.AccountEnabled}
	if gu.UsageLocation != nil {
		u.UsageLocation = *gu.UsageLocation
	}
	for _, s := range gu.LicenseAssignmentStates {
		l := LiveLicense{SkuID: s.SkuID, DisabledPlans: s.DisabledPlans, State: s.State}
		if s.AssignedByGroup != nil {
			l.AssignedByGroup = *s.AssignedByGroup
		}
		u.Licenses = append(u.Licenses, l)
	}
	if len(gu.LicenseAssignmentStates) == 0 {
		// Without assignment states every licence is taken as direct.
		for _, a := range gu.AssignedLicenses {
			u.Licenses = append(u.Licenses, LiveLicense{SkuID: a.SkuID, DisabledPlans: a.DisabledPlans})
		}
	}
	s := gu.SignInActivity
	if s == nil {
		return u, nil
	}
	// Only successful sign-ins are activity, as in the transform
	// (user_activity.sql): lastSuccessfulSignInDateTime (either kind) and
	// lastNonInteractiveSignInDateTime. lastSignInDateTime counts failed
	// attempts too; the transform falls back to it only for a tenant that
	// never populates lastSuccessfulSignInDateTime (kept since December
	// 2023), and a sign-in made since the plan would show there.
	for _, f := range []struct {
		name string
		v    *string
	}{{"lastSuccessfulSignInDateTime", s.LastSuccessfulSignInDateTime}, {"lastNonInteractiveSignInDateTime", s.LastNonInteractiveSignInDateTime}} {
		if f.v == nil {
			continue
		}
		t, err := msgraph.ParseTime(*f.v)
		if err != nil {
			return nil, fmt.Errorf("signInActivity.%s: %w", f.name, err)
		}
		if t != nil && (u.LastSignIn == nil || t.After(*u.LastSignIn)) {
			u.LastSignIn = t
		}
	}
	return u, nil
}

// members returns the ids (lower case) of a group's direct or transitive
// members. Group listings rather than /users/{id}/memberOf keep this to the
// endpoints the simulated tenant serves too; they are cached for
// MembershipCacheTTL, and our own membership changes drop the group's entry.
func (g *GraphDirectory) members(ctx context.Context, group string, transitive bool) (map[string]bool, error) {
	key := strings.ToLower(group)
	if transitive {
		key += "/transitive"
	}
	g.mu.Lock()
	if g.cache == nil {
		g.cache = map[string]memberCache{}
	}
	c, ok := g.cache[key]
	gen := g.gen[strings.ToLower(group)]
	g.mu.Unlock()
	ttl := g.MembershipCacheTTL
	if ttl == 0 {
		ttl = 5 * time.Minute
	}
	if ok && c.gen == gen && time.Since(c.at) < ttl {
		return c.ids, nil
	}
	seg := "members"
	if transitive {
		seg = "transitiveMembers"
	}
	ids := map[string]bool{}
	path := "/v1.0/groups/" + url.PathEscape(group) + "/" + seg + "?$select=id&$top=999"
	for path != "" {
		var page struct {
			Value []struct {
				ID string `json:"id"`
			} `json:"value"`
			NextLink string `json:"@odata.nextLink"`
		}
		if err := g.do(ctx, http.MethodGet, path, nil, &page); err != nil {
			return nil, err
		}
		for _, v := range page.Value {
			ids[strings.ToLower(v.ID)] = true
		}
		path = page.NextLink
	}
	g.mu.Lock()
	if g.gen[strings.ToLower(group)] == gen { // not changed by us meanwhile
		g.cache[key] = memberCache{ids: ids, at: time.Now(), gen: gen}
	}
	g.mu.Unlock()
	return ids, nil
}

type memberCache struct {
	ids map[string]bool
	at  time.Time
	gen int
}

func (g *GraphDirectory) invalidate(group string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gen == nil {
		g.gen = map[string]int{}
	}
	g.gen[strings.ToLower(group)]++
}

// ChangeLicenses calls assignLicense, always sending both keys.
func (g *GraphDirectory) ChangeLicenses(ctx context.Context, ch LicenseChange) error {
	type add struct {
		DisabledPlans []string `json:"disabledPlans"`
		SkuID         string   `json:"skuId"`
	}
	body := struct {
		AddLicenses    []add    `json:"addLicenses"`
		RemoveLicenses []string `json:"removeLicenses"`
	}{AddLicenses: []add{}, RemoveLicenses: ch.Remove}
	if body.RemoveLicenses == nil {
		body.RemoveLicenses = []string{}
	}
	for _, a := range ch.Add {
		dp := a.DisabledPlans
		if dp == nil {
			dp = []string{}
		}
		body.AddLicenses = append(body.AddLicenses, add{DisabledPlans: dp, SkuID: a.SkuID})
	}
	if err := g.do(ctx, http.MethodPost, "/v1.0/users/"+url.PathEscape(ch.UserID)+"/assignLicense", body, nil); err != nil {
		return fmt.Errorf("assignLicense for %s: %w", ch.UserID, err)
	}
	return nil
}

// ChangeMembership adds or removes a direct member with the $ref endpoints.
func (g *GraphDirectory) ChangeMembership(ctx context.Context, ch MembershipChange) error {
	defer g.invalidate(ch.GroupID)
	var err error
	if ch.Add {
		ref := map[string]string{"@odata.id": strings.TrimRight(g.BaseURL, "/") + "/v1.0/directoryObjects/" + ch.UserID}
		err = g.do(ctx, http.MethodPost, "/v1.0/groups/"+url.PathEscape(ch.GroupID)+"/members/$ref", ref, nil)
	} else {
		err = g.do(ctx, http.MethodDelete, "/v1.0/groups/"+url.PathEscape(ch.GroupID)+"/members/"+url.PathEscape(ch.UserID)+"/$ref", nil, nil)
	}
	if err != nil {
		verb := "removing"
		if ch.Add {
			verb = "adding"
		}
		return fmt.Errorf("%s %s in group %s: %w", verb, ch.UserID, ch.GroupID, err)
	}
	return nil
}

// do sends one request, retrying what is safe, and decodes a JSON answer
// into out (when non-nil). path may be absolute (a nextLink).
func (g *GraphDirectory) do(ctx context.Context, method, path string, in, out any) error {
	if g.Transport != nil {
		return g.Transport(ctx, method, path, in, out)
	}
	target := path
	if !strings.HasPrefix(path, "https://") && !strings.HasPrefix(path, "http://") {
		target = strings.TrimRight(g.BaseURL, "/") + path
	}
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	attempts := g.MaxAttempts
	if attempts <= 0 {
		attempts = 6
	}
	read := method == http.MethodGet
	refreshed := false
	for attempt := 1; ; attempt++ {
		tok, err := g.Token.Token(ctx, false)
		if err != nil {
			return fmt.Errorf("getting a Graph token: %w", err)
		}
		req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept", "application/json")
		if in != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := g.HTTP.Do(req)
		if err != nil {
			if read && attempt < attempts && ctx.Err() == nil {
				if werr := sleep(ctx, backoff(attempt)); werr != nil {
					return werr
				}
				continue
			}
			return err // for a write: ambiguous, the engine re-reads
		}
		data, rerr := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
		resp.Body.Close()
		if rerr != nil {
			if read && attempt < attempts {
				continue
			}
			return rerr
		}
		if resp.StatusCode < 300 {
			if out != nil && len(data) > 0 {
				if err := json.Unmarshal(data, out); err != nil {
					return fmt.Errorf("decoding %s %s: %w", method, path, err)
				}
			}
			return nil
		}
		ge := parseGraphError(resp.StatusCode, data)
		switch {
		case resp.StatusCode == 401 && !refreshed:
			// An expired token: fetch a new one once; the call was not made.
			refreshed = true
			if _, err := g.Token.Token(ctx, true); err != nil {
				return fmt.Errorf("refreshing the Graph token: %w", err)
			}
			continue
		case resp.StatusCode == 429 && attempt < attempts:
			wait := retryAfter(resp.Header.Get("Retry-After"), attempt, g.MaxRetryAfter)
			g.log().Debug("throttled", "method", method, "path", path, "wait", wait)
			if err := sleep(ctx, wait); err != nil {
				return err
			}
			continue
		case read && resp.StatusCode >= 500 && attempt < attempts:
			if err := sleep(ctx, retryAfter(resp.Header.Get("Retry-After"), attempt, g.MaxRetryAfter)); err != nil {
				return err
			}
			continue
		}
		return ge
	}
}

func (g *GraphDirectory) log() hclog.Logger {
	if g.Logger == nil {
		return hclog.NewNullLogger()
	}
	return g.Logger
}

func parseGraphError(status int, data []byte) *GraphError {
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	ge := &GraphError{Status: status}
	if json.Unmarshal(data, &body) == nil {
		ge.Code, ge.Message = body.Error.Code, body.Error.Message
	}
	if ge.Code == "" && ge.Message == "" {
		ge.Message = http.StatusText(status)
	}
	return ge
}

// retryAfter honours a Retry-After in seconds, else backs off exponentially.
func retryAfter(h string, attempt int, limit time.Duration) time.Duration {
	if limit <= 0 {
		limit = 60 * time.Second
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s >= 0 {
		return min(time.Duration(s)*time.Second, limit)
	}
	return min(backoff(attempt), limit)
}

// backoff is 2, 4, 8 … s with ±25 % jitter, scaled down by backoffUnit in tests.
func backoff(attempt int) time.Duration {
	d := backoffUnit * time.Duration(1<<min(attempt, 6))
	return d - d/4 + time.Duration(rand.Int64N(int64(d/2)+1))
}

var backoffUnit = time.Second

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ClientCredentials is a TokenSource using the OAuth 2.0 client credentials
// grant with a client secret, over plain net/http. To be unified with the
// extract stage's azidentity-based auth (which also handles certificates).
type ClientCredentials struct {
	HTTP          *http.Client
	LoginEndpoint string // e.g. https://login.microsoftonline.com
	TenantID      string
	ClientID      string
	Secret        config.Secret
	Scope         string // e.g. https://graph.microsoft.com/.default

	mu      sync.Mutex
	token   string
	expires time.Time
}

// Token returns the cached token, fetching a new one when it is within five
// minutes of expiry or refresh is set. Errors never include the secret.
func (c *ClientCredentials) Token(ctx context.Context, refresh bool) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !refresh && c.token != "" && time.Now().Before(c.expires) {
		return c.token, nil
	}
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {c.ClientID},
		"client_secret": {c.Secret.Reveal()},
		"scope":         {c.Scope},
	}
	endpoint := strings.TrimRight(c.LoginEndpoint, "/") + "/" + url.PathEscape(c.TenantID) + "/oauth2/v2.0/token"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return "", fmt.Errorf("token request to %s: %w", endpoint, err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body); err != nil {
		return "", fmt.Errorf("token response from %s (HTTP %d): %w", endpoint, resp.StatusCode, err)
	}
	if resp.StatusCode != 200 || body.AccessToken == "" {
		return "", fmt.Errorf("token request to %s refused (HTTP %d): %s: %s", endpoint, resp.StatusCode, body.Error, body.Description)
	}
	c.token = body.AccessToken
	c.expires = time.Now().Add(time.Duration(body.ExpiresIn)*time.Second - 5*time.Minute)
	return c.token, nil
}
