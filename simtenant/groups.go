package simtenant

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Groups: the licensing groups of the catalog (groups), their members and
// membership changes, which add or drop the group's licence assignments.

// groupEntity is microsoft.graph.group for the catalog group at an index;
// every property is written (the simulator ignores $select on groups) and
// $filter may compare id and displayName.
var groupEntity = newEntity("group",
	text("id", func(g int) string { return groups[g].ID }).byDefault().filterable(),
	text("displayName", func(g int) string { return groups[g].DisplayName }).byDefault().filterable(),
	text("description", func(g int) string { return "Group-based licensing: " + groups[g].DisplayName }).byDefault(),
	custom("groupTypes", func(o *jsonObj, k string, g int) { o.strs(k, []string{}) }).byDefault(),
	boolean("mailEnabled", func(int) bool { return false }).byDefault(),
	boolean("securityEnabled", func(int) bool { return true }).byDefault(),
	custom("onPremisesSyncEnabled", func(o *jsonObj, k string, g int) { o.null(k) }).byDefault(),
	custom("assignedLicenses", func(o *jsonObj, k string, g int) {
		arr := []byte{'['}
		for n, sku := range groups[g].skus {
			if n > 0 {
				arr = append(arr, ',')
			}
			e := newObj(arr)
			e.strs("disabledPlans", []string{})
			e.str("skuId", skus[sku].ID)
			arr = e.close()
		}
		o.raw(k, append(arr, ']'))
	}).byDefault(),
)

func appendGroup(b []byte, g int) []byte {
	o := newObj(b)
	groupEntity.def.write(o, g)
	return o.close()
}

func (s *Server) handleGroups(w http.ResponseWriter, r *http.Request) {
	var f filterExpr
	if raw := r.URL.Query().Get("$filter"); raw != "" {
		var err error
		if f, err = groupEntity.parseFilter(raw); err != nil {
			s.graphError(w, r, http.StatusBadRequest, "Request_UnsupportedQuery", err.Error())
			return
		}
	}
	o := newObj(nil)
	o.str("@odata.context", s.url+"/v1.0/$metadata#groups")
	arr := []byte{'['}
	n := 0
	for g := range groups {
		if f != nil && !f.eval(groupEntity.record(g)) {
			continue
		}
		if n > 0 {
			arr = append(arr, ',')
		}
		n++
		arr = appendGroup(arr, g)
	}
	o.raw("value", append(arr, ']'))
	writeJSON(w, 200, o.close())
}

func (s *Server) groupOf(w http.ResponseWriter, r *http.Request) int {
	g := groupIndexByID(r.PathValue("gid"))
	if g < 0 {
		s.notFound(w, r, r.PathValue("gid"))
	}
	return g
}

func (s *Server) handleGroup(w http.ResponseWriter, r *http.Request) {
	g := s.groupOf(w, r)
	if g < 0 {
		return
	}
	writeJSON(w, 200, entityResponse(s.url+"/v1.0/$metadata#groups/$entity", appendGroup(nil, g)))
}

// handleGroupMembers serves members and transitiveMembers (licensing groups
// have no nested groups, so both list the same users).
func (s *Server) handleGroupMembers(w http.ResponseWriter, r *http.Request) {
	g := s.groupOf(w, r)
	if g < 0 {
		return
	}
	if s.unsupportedOptions(w, r, "$search", "$orderby", "$count", "$filter", "$expand") {
		return
	}
	sel, ok := selected(s, w, r, userEntity, memberDefault)
	if !ok {
		return
	}
	if sel.has("signInActivity") {
		s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", "Property 'signInActivity' is not supported on this navigation.")
		return
	}
	top, ok := s.pageSize(w, r)
	if !ok {
		return
	}
	start, ok := s.skipToken(w, r, "members"+groups[g].ID)
	if !ok {
		return
	}
	b := []byte(`{"@odata.context":`)
	b = appendJSONString(b, s.url+"/v1.0/$metadata#directoryObjects")
	var page userPage
	next := s.scanUsers(&page, int(start), top, sel, true, func(u *user) bool { return u.groups&(1<<g) != 0 })
	writeJSON(w, 200, s.closeUserPage(b, r, "members"+groups[g].ID, next, &page))
}

// setMembership adds or removes user i from group g, adding or dropping the
// group's licence assignments (synchronously; Microsoft processes group
// licensing asynchronously, see docs/simulator.md).
func (s *Server) setMembership(i, g int, member bool) (changed bool, err error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	u := s.licensedLocked(i)
	isMember := u.groups&(1<<g) != 0
	if isMember == member {
		return false, nil
	}
	var lic []assignment
	if member {
		consumed := s.consumedLocked()
		lic = u.lic
		for _, k := range groups[g].skus {
			a := assignment{sku: k, group: g, state: "Active"}
			if !holds(lic, k) && consumed[k] >= s.prepaid(k) {
				a.state, a.err = "Error", "CountViolation"
			}
			lic = append(lic, a)
		}
		u.groups |= 1 << g
	} else {
		for _, a := range u.lic {
			if a.group != g {
				lic = append(lic, a)
			}
		}
		u.groups &^= 1 << g
	}
	s.state.users[i] = &userState{lic: lic, groups: u.groups}
	s.state.version++
	return true, s.saveLocked()
}

func (s *Server) handleRemoveMember(w http.ResponseWriter, r *http.Request) {
	if g := s.groupOf(w, r); g >= 0 {
		s.changeMembership(w, r, g, r.PathValue("uid"), false)
	}
}

func (s *Server) handleAddMember(w http.ResponseWriter, r *http.Request) {
	g := s.groupOf(w, r)
	if g < 0 {
		return
	}
	var body struct {
		ID string `json:"@odata.id"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&body); err != nil || body.ID == "" {
		s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", "The request payload must contain '@odata.id'.")
		return
	}
	s.changeMembership(w, r, g, body.ID[strings.LastIndexByte(body.ID, '/')+1:], true)
}

// changeMembership makes the user key (id or UPN) a member of group g or
// not. Graph answers 404 for removing a non-member and 400 for adding a
// member twice.
func (s *Server) changeMembership(w http.ResponseWriter, r *http.Request, g int, key string, member bool) {
	i := s.userOf(w, r, key)
	if i < 0 {
		return
	}
	changed, err := s.setMembership(i, g, member)
	switch {
	case err != nil:
		s.graphError(w, r, http.StatusInternalServerError, "generalException", err.Error())
	case changed:
		w.WriteHeader(http.StatusNoContent)
	case member:
		s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", "One or more added object references already exist for the following modified properties: 'members'.")
	default:
		s.notFound(w, r, key)
	}
}
