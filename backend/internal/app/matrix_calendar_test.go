package app_test

func init() {
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/calendar", Kind: kindRead})
	registerRoute(routeCase{Method: "GET", Route: "/api/v1/calendar/deadline", Kind: kindRead})
	registerRoute(routeCase{Method: "PUT", Route: "/api/v1/calendar/days/:date", Kind: kindPlatform})
	registerRoute(routeCase{Method: "DELETE", Route: "/api/v1/calendar/days/:date", Kind: kindPlatform})
}
