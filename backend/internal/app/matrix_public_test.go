package app_test

// The public portal's routes (/api/public/v1) need no session: anyone may read a county's
// running notices and object to one. What keeps one county's notices apart from another's
// is the county in the address, run in that county's scope: an objection to a notice of
// 安吉县 asked for through 长兴县 is 404 (internal/casework/public_test.go).
func init() {
	registerRoute(routeCase{Method: "GET", Route: "/api/public/v1/counties", Kind: kindPublic})
	registerRoute(routeCase{Method: "GET", Route: "/api/public/v1/counties/:code/notices", Kind: kindPublic})
	registerRoute(routeCase{Method: "POST", Route: "/api/public/v1/counties/:code/notices/:id/objections", Kind: kindPublic})
}
