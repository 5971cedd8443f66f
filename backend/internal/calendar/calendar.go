// Package calendar knows which days are working days: weekends, public holidays and the
// weekend days worked in exchange (调休上班), so deadlines count as the law counts them.
package calendar

import (
	"time"

	"dibao/backend/internal/platform/civil"
)

// Kinds of listed days.
const (
	Holiday = "holiday"
	Workday = "workday"
)

// Day is a listed exception to the ordinary Monday-Friday week.
type Day struct {
	Date civil.Date `json:"date" db:"day"`
	Kind string     `json:"kind" db:"kind"`
	Name string     `json:"name" db:"name"`
}

// Calendar answers working-day questions from a set of listed days.
type Calendar struct {
	days map[civil.Date]string
}

// New builds a calendar from listed days.
func New(days []Day) *Calendar {
	c := &Calendar{days: make(map[civil.Date]string, len(days))}
	for _, d := range days {
		c.days[d.Date] = d.Kind
	}
	return c
}

// IsWorkday reports whether staff work on d.
func (c *Calendar) IsWorkday(d civil.Date) bool {
	switch c.days[d] {
	case Holiday:
		return false
	case Workday:
		return true
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddWorkdays is the n-th working day after d (d itself is not counted): the deadline of
// something due "within n working days" of d.
func (c *Calendar) AddWorkdays(d civil.Date, n int) civil.Date {
	for n > 0 {
		d = d.AddDays(1)
		if c.IsWorkday(d) {
			n--
		}
	}
	return d
}

// WorkdaysBetween counts the working days after from up to and including to; it is
// negative when to is before from (then it counts the working days after to up to from).
func (c *Calendar) WorkdaysBetween(from, to civil.Date) int {
	if to.Before(from) {
		return -c.WorkdaysBetween(to, from)
	}
	n := 0
	for d := from.AddDays(1); !d.After(to); d = d.AddDays(1) {
		if c.IsWorkday(d) {
			n++
		}
	}
	return n
}
