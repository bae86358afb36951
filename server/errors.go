package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/driftless/driftless/syncproto"
)

// Error codes of the application. The list only grows; HTTP statuses and
// protocol error codes are chosen from them in HTTPStatus and ProtocolError,
// and nowhere else.
const (
	ENotFound           = "not_found"
	EInvalid            = "invalid"
	EUnauthorized       = "unauthorized"
	EForbidden          = "forbidden"
	EConflict           = "conflict"
	EVersionUnsupported = "version_not_supported"
	EResetRequired      = "reset_required"
	EDeviceConflict     = "device_conflict"
	ESequenceGap        = "sequence_gap"
	EBusy               = "busy"
	EUnavailable        = "unavailable"
	EInternal           = "internal"
	// EEnrollmentInvalid: an enrollment code that is wrong, used, expired
	// or of a revoked device.
	EEnrollmentInvalid = "enrollment_invalid"
)

// Error is the application error: a code for programs, a message for the
// person who can act on it, and details some codes carry.
type Error struct {
	Code    string
	Message string
	// Field names the offending input field, for EInvalid.
	Field string
	// ExpectedSeq is where the device must resend from, for ESequenceGap.
	ExpectedSeq uint64
	// RetryAfter is how long to wait, for EBusy and EUnavailable.
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain; EInternal
// for any other non-nil error.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-facing message of err: the *Error's own
// message, or a generic one that leaks no internals.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "the request was cancelled"
	}
	return "internal error; the server log has the details"
}

// HTTPStatus maps an error to an HTTP status code.
func HTTPStatus(err error) int {
	switch ErrorCode(err) {
	case ENotFound:
		return http.StatusNotFound
	case EInvalid, EEnrollmentInvalid:
		return http.StatusBadRequest
	case EUnauthorized:
		return http.StatusUnauthorized
	case EForbidden:
		return http.StatusForbidden
	case EConflict, EDeviceConflict, ESequenceGap, EResetRequired:
		return http.StatusConflict
	case EVersionUnsupported:
		return http.StatusUpgradeRequired
	case EBusy:
		return http.StatusTooManyRequests
	case EUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// ProtocolError maps an error to the sync protocol's error message.
func ProtocolError(err error) *syncproto.Error {
	var pe *syncproto.Error
	if errors.As(err, &pe) {
		return pe
	}
	out := &syncproto.Error{Message: ErrorMessage(err)}
	var e *Error
	if errors.As(err, &e) {
		out.Field = e.Field
		out.ExpectedSeq = e.ExpectedSeq
		out.RetryAfterMillis = e.RetryAfter.Milliseconds()
	}
	switch ErrorCode(err) {
	case EInvalid:
		out.Code = syncproto.ErrBadMessage
	case EUnauthorized, EForbidden, ENotFound, EEnrollmentInvalid:
		out.Code = syncproto.ErrUnauthorized
	case EVersionUnsupported:
		out.Code = syncproto.ErrVersionUnsupported
	case EResetRequired:
		out.Code = syncproto.ErrResetRequired
	case EDeviceConflict:
		out.Code = syncproto.ErrDeviceConflict
	case ESequenceGap:
		out.Code = syncproto.ErrSequenceGap
	case EBusy:
		out.Code = syncproto.ErrBusy
	case EUnavailable:
		out.Code = syncproto.ErrShuttingDown
	default:
		out.Code = syncproto.ErrInternal
	}
	return out
}
