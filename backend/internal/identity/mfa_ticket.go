package identity

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// MFATicketTTL is how long the password step of a sign-in stays good for its second step.
const MFATicketTTL = 5 * time.Minute

// An MFA ticket says "this browser gave the right password for this user a moment ago".
// It is no session: it only lets POST /auth/login/totp finish the sign-in. Like a cookie
// it reads "<user id>.<token>" and Redis keeps only the token's hash.
func (s *Sessions) ticketKey(userID int64, tokenHash string) string {
	return fmt.Sprintf("%smfa:{u%d}:%s", s.prefix, userID, tokenHash)
}

// CreateMFATicket starts a second step for a user and returns its token.
func (s *Sessions) CreateMFATicket(ctx context.Context, userID int64, county string) (string, error) {
	token, err := randomToken(32)
	if err != nil {
		return "", err
	}
	if err := s.rdb.Set(ctx, s.ticketKey(userID, hashToken(token)), county, MFATicketTTL).Err(); err != nil {
		return "", fmt.Errorf("identity: store sign-in ticket: %w", err)
	}
	return strconv.FormatInt(userID, 10) + "." + token, nil
}

// MFATicket finds the user and county of a ticket; ErrNoSession when it is unknown or expired.
func (s *Sessions) MFATicket(ctx context.Context, ticket string) (int64, string, error) {
	userID, token, ok := parseCookie(ticket)
	if !ok {
		return 0, "", ErrNoSession
	}
	county, err := s.rdb.Get(ctx, s.ticketKey(userID, hashToken(token))).Result()
	if err != nil {
		if errors.Is(err, redis.Nil) {
			return 0, "", ErrNoSession
		}
		return 0, "", fmt.Errorf("identity: read sign-in ticket: %w", err)
	}
	return userID, county, nil
}

// DeleteMFATicket ends a ticket once it has been used.
func (s *Sessions) DeleteMFATicket(ctx context.Context, ticket string) error {
	userID, token, ok := parseCookie(ticket)
	if !ok {
		return nil
	}
	if err := s.rdb.Del(ctx, s.ticketKey(userID, hashToken(token))).Err(); err != nil {
		return fmt.Errorf("identity: end sign-in ticket: %w", err)
	}
	return nil
}
