package simtenant

import (
	"sort"
	"sync"
)

// event is one sign-in or audit record: a user, a second of a day and a
// sequence number within that user's day. Records are derived, not stored:
// a day's list is built by scanning the tenant's cheap "core" users and kept
// in a small cache while a client pages through it.
type event struct {
	sec    int32
	user   int32
	k      int16
	action int16 // Dataverse audit action (64/65); 0 for sign-ins
}

type dayKey struct {
	kind string
	day  int
}

// eventCache keeps the few most recently used day lists.
type eventCache struct {
	mu    sync.Mutex
	m     map[dayKey][]event
	order []dayKey
}

const eventCacheDays = 6

func (c *eventCache) get(k dayKey, build func() []event) []event {
	c.mu.Lock()
	if ev, ok := c.m[k]; ok {
		c.mu.Unlock()
		return ev
	}
	c.mu.Unlock()
	ev := build()
	sort.Slice(ev, func(a, b int) bool { // newest first
		if ev[a].sec != ev[b].sec {
			return ev[a].sec > ev[b].sec
		}
		if ev[a].user != ev[b].user {
			return ev[a].user < ev[b].user
		}
		return ev[a].k < ev[b].k
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[dayKey][]event{}
	}
	if _, ok := c.m[k]; !ok {
		c.m[k] = ev
		c.order = append(c.order, k)
		if len(c.order) > eventCacheDays {
			delete(c.m, c.order[0])
			c.order = c.order[1:]
		}
	}
	return ev
}

// dayEvents lists (and caches) the events of kind on the day `days` before
// Today: for every user whose last event was on or after that day (last:
// days ago, < 0 none) and who existed then, userEvents appends theirs;
// onLast says whether the day is the user's last.
func (s *Server) dayEvents(kind string, days int, last func(u *user) int, userEvents func(out []event, u *user, onLast bool) []event) []event {
	return s.dayCache.get(dayKey{kind, days}, func() []event {
		var out []event
		for i := 0; i < s.t.n; i++ {
			u := s.t.core(i)
			l := last(u)
			if l < 0 || days < l || days > u.createdDays {
				continue
			}
			out = userEvents(out, u, days == l)
		}
		return out
	})
}

// signInDay lists the interactive sign-ins of the day `days` before Today.
// The last interactive sign-in of a user (signInActivity.lastSignInDateTime)
// is event 0 of its day; on older days active users sign in now and then
// (a few times a week); there is nothing after the last sign-in.
func (s *Server) signInDay(days int) []event {
	return s.dayEvents("signin", days, func(u *user) int { return u.interactive }, func(out []event, u *user, onLast bool) []event {
		i := u.idx
		if onLast {
			return append(out, event{sec: int32(u.interactiveSec), user: int32(i), k: 0})
		}
		r := newRNG(uint64(s.opts.Seed), saltSignIn, uint64(i), uint64(days))
		n := 0
		if r.chance(0.45) {
			n = 1
			if r.chance(0.2) {
				n = 2
			}
		}
		for k := 1; k <= n; k++ {
			out = append(out, event{sec: int32(r.between(6*3600, 20*3600)), user: int32(i), k: int16(k)})
		}
		return out
	})
}

// auditDay lists the Dataverse user-access audits (action 64/65) of a day:
// Dynamics users' last access is event 0 of its day, older days have
// occasional accesses (Dataverse writes at most one per user per interval).
func (s *Server) auditDay(days int) []event {
	lastAccess := func(u *user) int {
		if !u.dynamics {
			return -1
		}
		return u.act[actDynamics]
	}
	return s.dayEvents("audit", days, lastAccess, func(out []event, u *user, onLast bool) []event {
		i := u.idx
		r := newRNG(uint64(s.opts.Seed), saltAudit, uint64(i), uint64(days))
		action := int16(64)
		if r.chance(0.35) {
			action = 65
		}
		if onLast {
			return append(out, event{sec: int32(r.between(7*3600, 19*3600)), user: int32(i), k: 0, action: action})
		}
		if r.chance(0.4) {
			out = append(out, event{sec: int32(r.between(7*3600, 19*3600)), user: int32(i), k: 1, action: action})
		}
		return out
	})
}
