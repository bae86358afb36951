package app

import (
	"context"

	"golang.org/x/crypto/bcrypt"
)

// The server's user-level REST routes (the supervisor queues, the next
// pick list) check the user's PIN as well as the device's credentials, so
// that a device cannot act for a user by naming them. The app keeps the
// PIN SignIn verified in memory, never in the database: after a restart
// the user is still signed in (from the database) but the PIN is gone, and
// such calls fail with ErrPINRequired until ConfirmPIN gives it again.

// keepPIN remembers (or, with empty arguments, forgets) the PIN of user.
func (a *App) keepPIN(user, pin string) {
	a.mu.Lock()
	a.pinUser, a.pin = user, pin
	a.mu.Unlock()
}

// pinOf returns the PIN kept for user ("" when none).
func (a *App) pinOf(user string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if user == "" || a.pinUser != user {
		return ""
	}
	return a.pin
}

// HasPIN reports whether the app holds the signed-in user's PIN for the
// server's user-level calls (false after a restart until ConfirmPIN).
func (a *App) HasPIN(ctx context.Context) bool {
	u, ok, err := a.CurrentUser(ctx)
	return err == nil && ok && a.pinOf(u.Code) != ""
}

// ConfirmPIN checks the signed-in user's PIN again (offline, as SignIn
// does) and keeps it in memory for the server's user-level calls. A wrong
// PIN is ErrWrongPIN and forgets any PIN kept.
func (a *App) ConfirmPIN(ctx context.Context, pin string) error {
	cur, err := a.signedIn(ctx)
	if err != nil {
		return err
	}
	u, ok, err := a.st.User(ctx, cur.Code)
	if err != nil {
		return err
	}
	if !ok || u.PINHash == "" || bcrypt.CompareHashAndPassword([]byte(u.PINHash), []byte(pin)) != nil {
		a.keepPIN("", "")
		return errorf(ErrWrongPIN, nil, "Wrong PIN for %s", cmpOr(cur.Name, cur.Code))
	}
	a.keepPIN(cur.Code, pin)
	a.signal()
	return nil
}

// userAuth returns the signed-in user and their PIN, or ErrPINRequired
// when the app does not hold it (after a restart).
func (a *App) userAuth(ctx context.Context) (User, string, error) {
	u, err := a.signedIn(ctx)
	if err != nil {
		return User{}, "", err
	}
	pin := a.pinOf(u.Code)
	if pin == "" {
		return User{}, "", errorf(ErrPINRequired, nil, "Enter %s's PIN again: the server needs it for this", cmpOr(u.Name, u.Code))
	}
	return u, pin, nil
}
