package server

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"time"
)

// Enrollment codes let a person set a handheld up by typing eight
// characters (with gloves on, from a label or a screen) instead of a
// device ID and a 43-character token. `syncd device add` (or POST
// /api/v1/devices) prints one; `syncd device code` issues a fresh one.
// A code is single-use and expires (DefaultEnrollmentTTL); only its hash
// is stored. Redeeming it (Enroll, POST /api/v1/enroll) hands out a new
// token for its device, replacing the old one, so a lost or wiped
// handheld is set up again the same way. Issuing a code makes the
// device's earlier unused codes expire.

// DefaultEnrollmentTTL is how long an enrollment code stays valid.
const DefaultEnrollmentTTL = 24 * time.Hour

// EnrollmentAlphabet is the characters of enrollment codes: letters and
// digits without the ones easily mistaken for each other (0 and O, 1 and
// I). 32 characters, so 8 of them carry 40 random bits.
const EnrollmentAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// enrollmentCodeLen is the number of characters of a code.
const enrollmentCodeLen = 8

// FormatEnrollmentCode shows a normalized code as XXXX-XXXX.
func FormatEnrollmentCode(code string) string {
	if len(code) != enrollmentCodeLen {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// NormalizeEnrollmentCode returns a typed code in its stored form: upper
// case, without dashes and spaces. ok is false when it cannot be a code.
func NormalizeEnrollmentCode(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ':
		case r < 128 && strings.IndexByte(EnrollmentAlphabet, byte(r)) >= 0:
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	if b.Len() != enrollmentCodeLen {
		return "", false
	}
	return b.String(), true
}

func hashEnrollmentCode(normalized string) []byte {
	h := sha256.Sum256([]byte("driftless-enrollment:" + normalized))
	return h[:]
}

// IssueEnrollmentCode makes a new code for a device, valid for ttl
// (DefaultEnrollmentTTL when 0), and returns it as XXXX-XXXX with its
// expiry. The device's earlier unused codes stop working.
func (l *Ledger) IssueEnrollmentCode(ctx context.Context, deviceID string, ttl time.Duration) (string, time.Time, error) {
	if ttl == 0 {
		ttl = DefaultEnrollmentTTL
	}
	if ttl < 0 {
		return "", time.Time{}, &Error{Code: EInvalid, Field: "code_ttl", Message: "an enrollment code's lifetime must be positive"}
	}
	raw := make([]byte, enrollmentCodeLen)
	if _, err := io.ReadFull(l.rand, raw); err != nil {
		return "", time.Time{}, fmt.Errorf("issue enrollment code for device %s: %w", deviceID, err)
	}
	code := make([]byte, enrollmentCodeLen)
	for i, b := range raw {
		code[i] = EnrollmentAlphabet[int(b)%len(EnrollmentAlphabet)] // 256 is a multiple of 32: no bias
	}
	now := l.now().UTC()
	c := EnrollmentCode{Hash: hashEnrollmentCode(string(code)), DeviceID: deviceID, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	err := l.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		d, err := tx.Device(ctx, deviceID)
		if err != nil {
			return err
		}
		if d.Revoked {
			return Errorf(EConflict, "device %s (%s) is revoked: enroll a new device instead", d.Name, d.ID)
		}
		if err := tx.ExpireEnrollmentCodes(ctx, deviceID, now); err != nil {
			return err
		}
		return tx.PutEnrollmentCode(ctx, c)
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("issue enrollment code for device %s: %w", deviceID, err)
	}
	return FormatEnrollmentCode(string(code)), c.ExpiresAt, nil
}

// Enroll redeems an enrollment code: it gives the code's device a new
// token (the old one stops working), marks the code used and returns the
// device and the token. A wrong, used or expired code, or one of a revoked
// device, is EEnrollmentInvalid and changes nothing.
func (l *Ledger) Enroll(ctx context.Context, code, appVersion string) (Device, string, error) {
	invalid := func(format string, args ...any) error {
		return Errorf(EEnrollmentInvalid, format, args...)
	}
	norm, ok := NormalizeEnrollmentCode(code)
	if !ok {
		return Device{}, "", fmt.Errorf("enroll: %w", invalid("an enrollment code is 8 letters and digits, like K7Q4-M2XP: check what you typed"))
	}
	raw := make([]byte, 32)
	if _, err := io.ReadFull(l.rand, raw); err != nil {
		return Device{}, "", fmt.Errorf("enroll: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	now := l.now().UTC()
	var d Device
	err := l.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		c, err := tx.EnrollmentCode(ctx, hashEnrollmentCode(norm))
		if IsNotFound(err) {
			return invalid("enrollment code %s is not known to this server: check it, or ask for a new one (syncd device code)", FormatEnrollmentCode(norm))
		}
		if err != nil {
			return err
		}
		if !c.UsedAt.IsZero() {
			return invalid("enrollment code %s was already used: ask for a new one (syncd device code)", FormatEnrollmentCode(norm))
		}
		if !now.Before(c.ExpiresAt) {
			return invalid("enrollment code %s has expired: ask for a new one (syncd device code)", FormatEnrollmentCode(norm))
		}
		if d, err = tx.Device(ctx, c.DeviceID); err != nil {
			return err
		}
		if d.Revoked {
			return invalid("device %s has been revoked: enroll a new device", d.Name)
		}
		d.TokenHash = hashToken(token)
		if err := tx.SetDeviceToken(ctx, d.ID, d.TokenHash); err != nil {
			return err
		}
		if appVersion != "" {
			d.AppVersion = appVersion
			if err := tx.UpdateDevice(ctx, d); err != nil {
				return err
			}
		}
		c.UsedAt = now
		return tx.PutEnrollmentCode(ctx, c)
	})
	if err != nil {
		return Device{}, "", fmt.Errorf("enroll: %w", err)
	}
	return d, token, nil
}
