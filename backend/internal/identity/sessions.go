package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Session lifetimes of DESIGN.md 4.5.
const (
	IdleTimeout     = 30 * time.Minute
	AbsoluteTimeout = 12 * time.Hour
)

// ErrNoSession means the cookie names no live session.
var ErrNoSession = errors.New("identity: no such session")

// Session is a signed-in browser. The cookie carries "<user id>.<token>"; Redis keeps
// only a hash of the token, under a key tagged with the user so Redis Cluster keeps a
// user's sessions on one node.
type Session struct {
	UserID    int64
	County    string // the user's county: the scope their account is loaded in
	TokenHash string
	CSRF      string
	CreatedAt time.Time
	ExpiresAt time.Time // the absolute end
}

// Sessions stores sessions in Redis.
type Sessions struct {
	rdb    *redis.Client
	prefix string
	now    func() time.Time
}

// NewSessions uses keys beginning with prefix.
func NewSessions(rdb *redis.Client, prefix string, now func() time.Time) *Sessions {
	return &Sessions{rdb: rdb, prefix: prefix, now: now}
}

func (s *Sessions) key(userID int64, tokenHash string) string {
	return fmt.Sprintf("%ssession:{u%d}:%s", s.prefix, userID, tokenHash)
}

func (s *Sessions) indexKey(userID int64) string {
	return fmt.Sprintf("%ssessions:{u%d}", s.prefix, userID)
}

// Create starts a session and returns the cookie value.
func (s *Sessions) Create(ctx context.Context, userID int64, county string) (string, Session, error) {
	token, err := randomToken(32)
	if err != nil {
		return "", Session{}, err
	}
	csrf, err := randomToken(24)
	if err != nil {
		return "", Session{}, err
	}
	now := s.now()
	sess := Session{UserID: userID, County: county, TokenHash: hashToken(token), CSRF: csrf, CreatedAt: now, ExpiresAt: now.Add(AbsoluteTimeout)}
	key := s.key(userID, sess.TokenHash)
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, key, "csrf", csrf, "county", county, "created", now.Unix(), "expires", sess.ExpiresAt.Unix())
		p.Expire(ctx, key, IdleTimeout)
		p.SAdd(ctx, s.indexKey(userID), sess.TokenHash)
		p.Expire(ctx, s.indexKey(userID), AbsoluteTimeout)
		return nil
	})
	if err != nil {
		return "", Session{}, fmt.Errorf("identity: store session: %w", err)
	}
	return strconv.FormatInt(userID, 10) + "." + token, sess, nil
}

// Get finds the session of a cookie value and extends its idle deadline, never past the
// absolute end.
func (s *Sessions) Get(ctx context.Context, cookie string) (Session, error) {
	userID, token, ok := parseCookie(cookie)
	if !ok {
		return Session{}, ErrNoSession
	}
	sess := Session{UserID: userID, TokenHash: hashToken(token)}
	key := s.key(userID, sess.TokenHash)
	// Read and extend in one round trip; the rare session within IdleTimeout of its
	// absolute end is cut back below. EXPIRE on a missing key does nothing.
	var read *redis.MapStringStringCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		read = p.HGetAll(ctx, key)
		p.Expire(ctx, key, IdleTimeout)
		return nil
	})
	if err != nil {
		return Session{}, fmt.Errorf("identity: read session: %w", err)
	}
	vals := read.Val()
	if len(vals) == 0 {
		return Session{}, ErrNoSession
	}
	created, _ := strconv.ParseInt(vals["created"], 10, 64)
	expires, _ := strconv.ParseInt(vals["expires"], 10, 64)
	sess.CSRF, sess.County, sess.CreatedAt, sess.ExpiresAt = vals["csrf"], vals["county"], time.Unix(created, 0), time.Unix(expires, 0)
	left := sess.ExpiresAt.Sub(s.now())
	if left <= 0 || sess.CSRF == "" || sess.County == "" {
		s.rdb.Del(ctx, key)
		return Session{}, ErrNoSession
	}
	if left < IdleTimeout {
		if err := s.rdb.Expire(ctx, key, left).Err(); err != nil {
			return Session{}, fmt.Errorf("identity: extend session: %w", err)
		}
	}
	return sess, nil
}

// Delete ends one session.
func (s *Sessions) Delete(ctx context.Context, sess Session) error {
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, s.key(sess.UserID, sess.TokenHash))
		p.SRem(ctx, s.indexKey(sess.UserID), sess.TokenHash)
		return nil
	})
	if err != nil {
		return fmt.Errorf("identity: end session: %w", err)
	}
	return nil
}

// DeleteAll ends every session of a user except the one whose token hash is keep ("" for none).
func (s *Sessions) DeleteAll(ctx context.Context, userID int64, keep string) error {
	hashes, err := s.rdb.SMembers(ctx, s.indexKey(userID)).Result()
	if err != nil {
		return fmt.Errorf("identity: list sessions of user %d: %w", userID, err)
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, h := range hashes {
			if h == keep {
				continue
			}
			p.Del(ctx, s.key(userID, h))
			p.SRem(ctx, s.indexKey(userID), h)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("identity: end sessions of user %d: %w", userID, err)
	}
	return nil
}

func parseCookie(v string) (int64, string, bool) {
	idPart, token, ok := strings.Cut(v, ".")
	if !ok || len(token) < 40 || len(token) > 64 {
		return 0, "", false
	}
	id, err := strconv.ParseInt(idPart, 10, 64)
	if err != nil || id <= 0 {
		return 0, "", false
	}
	return id, token, true
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("identity: random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
