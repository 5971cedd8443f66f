// Package civil holds civil-time helpers: dates and times as people in China read them.
package civil

import (
	"time"
	_ "time/tzdata" // the zone database travels with the binary (small images lack it)
)

// Shanghai is Asia/Shanghai, the zone every civil date in Dibao is in.
var Shanghai = mustLoad("Asia/Shanghai")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // cannot happen: time/tzdata is linked in
	}
	return loc
}
