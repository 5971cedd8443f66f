// Package synthetic makes plausible registry data at any scale, for benchmarks and load
// tests (`dibao seed synthetic --counties N --households-per-county M`, issue 4 item 10):
// counties under real province codes with townships, villages and communities named like
// real places; households of 1–6 people with valid GB 11643 ID numbers (the county's region
// code, birth dates and sex digits that agree with each member's age, sex and relation),
// plausible incomes, urban and rural households by their village's type, and ID numbers,
// phones and bank accounts sealed with SM4-GCM with their blind indexes and masks, exactly
// as the registry stores them.
//
// Writing is fast: each worker generates a county in batches and copies them into
// temporary tables (COPY, as the schema owner, in the county's scope), then moves them into
// the registry's tables with one INSERT … SELECT per table, which row-level security
// checks. COPY cannot write into a table with forced row-level security directly.
package synthetic

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/secure"
)

// Options say what to make.
type Options struct {
	Counties            int
	HouseholdsPerCounty int
	Seed                uint64 // the same seed makes the same data
	// Workers generate and write counties side by side (default: the number of CPUs, at
	// least 2, so the database works while Go generates).
	Workers int
	// Samples is how many households per county to hand back for benchmarks to search for.
	Samples int
	// Log, when set, hears of each county as it is done.
	Log func(format string, args ...any)
	// Now is today's date source (default time.Now).
	Now func() time.Time
}

// Sample is a generated household a benchmark can search for: its head's name and an ID
// number of one of its members, in full.
type Sample struct {
	County, Township, Village string
	HeadName, IDNumber        string
}

// Result counts what was made.
type Result struct {
	Counties   []County // every county of the run, new or already there
	Created    int      // counties written by this run (the others existed and were left alone)
	Divisions  int
	Households int
	Members    int
	Incomes    int
	Took       time.Duration
	Samples    []Sample
}

// Rows is the number of registry rows written.
func (r Result) Rows() int { return r.Divisions + r.Households + r.Members + r.Incomes }

// RowsPerSecond is the writing speed.
func (r Result) RowsPerSecond() float64 {
	if r.Took <= 0 {
		return 0
	}
	return float64(r.Rows()) / r.Took.Seconds()
}

// batchHouseholds is how many households go to the database at once.
const batchHouseholds = 2000

// Generate makes the counties as owner (the schema owner; row-level security applies to it
// and each county is written in its own scope). A county that exists already is left as it
// is, and its samples are found by generating it again in memory.
func Generate(ctx context.Context, owner *sqlx.DB, box *secure.Box, o Options) (Result, error) {
	if o.Counties < 1 || o.HouseholdsPerCounty < 0 {
		return Result{}, fmt.Errorf("synthetic: --counties must be at least 1 and --households-per-county at least 0")
	}
	if o.Workers <= 0 {
		o.Workers = max(2, runtime.GOMAXPROCS(0))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = func(string, ...any) {}
	}
	start := time.Now()
	res := Result{Counties: make([]County, o.Counties)}
	for i := range o.Counties {
		c, err := planCounty(o.Seed, i)
		if err != nil {
			return res, err
		}
		res.Counties[i] = c
	}
	if err := writeAbove(ctx, owner, res.Counties); err != nil {
		return res, err
	}
	var (
		mu        sync.Mutex
		firstErr  error
		next      atomic.Int64
		wg        sync.WaitGroup
		divisions atomic.Int64
		homes     atomic.Int64
		members   atomic.Int64
		incomes   atomic.Int64
		created   atomic.Int64
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range min(o.Workers, o.Counties) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= o.Counties || ctx.Err() != nil {
					return
				}
				c := res.Counties[i]
				w := &countyWriter{owner: owner, box: box, county: c}
				st, samples, err := w.run(ctx, o, i)
				mu.Lock()
				res.Samples = append(res.Samples, samples...)
				if err != nil && firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
				if err != nil {
					return
				}
				divisions.Add(int64(st.divisions))
				homes.Add(int64(st.households))
				members.Add(int64(st.members))
				incomes.Add(int64(st.incomes))
				if st.created {
					created.Add(1)
					o.Log("county %s %s: %d households, %d people", c.Code, c.Name, st.households, st.members)
				} else {
					o.Log("county %s %s exists: left as it is", c.Code, c.Name)
				}
			}
		}()
	}
	wg.Wait()
	res.Created = int(created.Load())
	res.Divisions, res.Households = int(divisions.Load()), int(homes.Load())
	res.Members, res.Incomes = int(members.Load()), int(incomes.Load())
	res.Took = time.Since(start)
	return res, firstErr
}

// writeAbove adds the provinces and cities above the counties (the platform's scope; they
// belong to no county).
func writeAbove(ctx context.Context, owner *sqlx.DB, cs []County) error {
	return db.WithScope(ctx, owner, db.CountyScope("000000"), func(tx *sqlx.Tx) error {
		for _, c := range cs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO divisions (code, level, name) VALUES ($1, 'province', $2)
				ON CONFLICT (code) DO NOTHING`, c.Province, c.ProvName); err != nil {
				return fmt.Errorf("synthetic: province %s: %w", c.Province, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO divisions (code, level, parent_code, name) VALUES ($1, 'city', $2, $3)
				ON CONFLICT (code) DO NOTHING`, c.City, c.Province, c.CityNm); err != nil {
				return fmt.Errorf("synthetic: city %s: %w", c.City, err)
			}
		}
		return nil
	})
}

// countyStats is what one county added.
type countyStats struct {
	created                                 bool
	divisions, households, members, incomes int
}

// countyWriter generates and writes one county.
type countyWriter struct {
	owner  *sqlx.DB
	box    *secure.Box
	county County
}

// run writes the county (unless it exists) and returns its samples.
func (w *countyWriter) run(ctx context.Context, o Options, i int) (countyStats, []Sample, error) {
	var st countyStats
	c := w.county
	var exists bool
	if err := w.owner.GetContext(ctx, &exists, `SELECT EXISTS (SELECT FROM divisions WHERE code = $1)`, c.Code); err != nil {
		return st, nil, fmt.Errorf("synthetic: look up %s: %w", c.Code, err)
	}
	if !exists {
		n, err := w.writeDivisions(ctx)
		if err != nil {
			return st, nil, err
		}
		st.divisions, st.created = n, true
	}
	today := civil.Today(o.Now())
	g := newIDs(c.Code, today)
	villages := c.Villages()
	per, extra := o.HouseholdsPerCounty/len(villages), o.HouseholdsPerCounty%len(villages)
	r := rand.New(rand.NewPCG(o.Seed, uint64(i)<<20|1))
	var samples []Sample
	every := 0
	if o.Samples > 0 {
		every = max(1, o.HouseholdsPerCounty/o.Samples)
	}
	batch := make([]home, 0, batchHouseholds)
	n := 0
	flush := func() error {
		if len(batch) == 0 || !st.created {
			batch = batch[:0]
			return nil
		}
		m, in, err := w.writeHomes(ctx, batch)
		if err != nil {
			return err
		}
		st.households += len(batch)
		st.members += m
		st.incomes += in
		batch = batch[:0]
		return nil
	}
	for vi, v := range villages {
		count := per
		if vi < extra {
			count++
		}
		township := v.Code[:9]
		for range count {
			h := makeHome(r, g, v)
			if every > 0 && n%every == 0 && len(samples) < o.Samples {
				m := h.Members[r.IntN(len(h.Members))]
				samples = append(samples, Sample{County: c.Code, Township: township, Village: v.Code,
					HeadName: h.Members[0].Name, IDNumber: m.IDNumber})
			}
			n++
			batch = append(batch, h)
			if len(batch) == batchHouseholds {
				if err := flush(); err != nil {
					return st, samples, err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return st, samples, err
	}
	return st, samples, nil
}

// writeDivisions adds the county, its townships and villages in the county's scope.
func (w *countyWriter) writeDivisions(ctx context.Context) (int, error) {
	c := w.county
	n := 0
	err := db.WithScope(ctx, w.owner, db.CountyScope(c.Code), func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO divisions (code, level, parent_code, county_code, name)
			VALUES ($1, 'county', $2, $1, $3)`, c.Code, c.City, c.Name); err != nil {
			return fmt.Errorf("synthetic: county %s: %w", c.Code, err)
		}
		n++
		var codes, parents, names, types, levels []string
		for _, t := range c.Townships {
			codes, parents, names, types, levels = append(codes, t.Code), append(parents, c.Code), append(names, t.Name), append(types, ""), append(levels, "township")
			for _, v := range t.Villages {
				codes, parents, names, types, levels = append(codes, v.Code), append(parents, t.Code), append(names, v.Name), append(types, v.UrbanRural), append(levels, "village")
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO divisions (code, level, parent_code, county_code, name, urban_rural_type)
			SELECT t.code, t.level, t.parent, $1, t.name, NULLIF(t.type, '')
			FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(code, level, parent, name, type)`,
			c.Code, pqStrings(codes), pqStrings(levels), pqStrings(parents), pqStrings(names), pqStrings(types)); err != nil {
			return fmt.Errorf("synthetic: divisions of %s: %w", c.Code, err)
		}
		n += len(codes)
		return nil
	})
	return n, err
}
