package app

import (
	"errors"
	"fmt"
)

// Error is a failure the user can act on: Message is shown as it is, Code
// is stable for tests and the screens. errors.Is matches Errors by code,
// so errors.Is(err, ErrWrongPIN) holds for any wrong-PIN error.
type Error struct {
	Code    string
	Message string
	Err     error // the cause, for the log; may be nil
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches an *Error of the same code.
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Code == e.Code
}

// Errors the screens test for with errors.Is.
var (
	ErrNotEnrolled       = &Error{Code: "not_enrolled", Message: "This device is not set up yet"}
	ErrEnrollmentInvalid = &Error{Code: "enrollment_invalid", Message: "The enrollment code is wrong, used or expired"}
	ErrServerUnreachable = &Error{Code: "server_unreachable", Message: "Cannot reach the server"}
	ErrNotSignedIn       = &Error{Code: "not_signed_in", Message: "Sign in first"}
	ErrUnknownUser       = &Error{Code: "unknown_user", Message: "No such user on this device"}
	ErrUserArchived      = &Error{Code: "user_archived", Message: "This user may no longer sign in"}
	ErrWrongPIN          = &Error{Code: "wrong_pin", Message: "Wrong PIN"}
	ErrReceiptOpen       = &Error{Code: "receipt_open", Message: "Another receipt is open"}
	ErrNotAnOrder        = &Error{Code: "not_an_order", Message: "That is not a purchase order on this device"}
	ErrNoLocation        = &Error{Code: "no_location", Message: "The warehouse lacks a location this needs"}
	ErrReceiptClosed     = &Error{Code: "receipt_closed", Message: "This receipt is finished or cancelled"}
	ErrNoPickList        = &Error{Code: "no_pick_list", Message: "No pick list to take"}
	ErrPickListTaken     = &Error{Code: "pick_list_taken", Message: "This pick list is assigned to someone else"}
	ErrPickingOpen       = &Error{Code: "picking_open", Message: "Another pick list is in progress"}
	ErrPickingClosed     = &Error{Code: "picking_closed", Message: "This pick list is finished on this device"}
	ErrNotATransfer      = &Error{Code: "not_a_transfer", Message: "That is not an open transfer of this warehouse"}
	ErrNotSupervisor     = &Error{Code: "not_supervisor", Message: "Only a supervisor may do this"}
	ErrServerRefused     = &Error{Code: "server_refused", Message: "The server refused the request"}
	ErrReasonNeeded      = &Error{Code: "reason_needed", Message: "Give a reason"}
	ErrPINRequired       = &Error{Code: "pin_required", Message: "Enter your PIN again: the server needs it for this"}
	ErrTooManyPINs       = &Error{Code: "too_many_pins", Message: "Too many wrong PINs: wait a minute and try again"}
	ErrForbidden         = &Error{Code: "forbidden", Message: "Your role does not allow this"}
	ErrNoCountTask       = &Error{Code: "no_count_task", Message: "That count task is not open on this device"}
	ErrCountTaken        = &Error{Code: "count_taken", Message: "This count task is someone else's"}
	ErrCountOpen         = &Error{Code: "count_open", Message: "Another count is in progress"}
	ErrCountClosed       = &Error{Code: "count_closed", Message: "This count is finished on this device"}
	ErrNotCounter        = &Error{Code: "not_counter", Message: "Only a counter may count bins"}
	ErrBadDates          = &Error{Code: "bad_dates", Message: "Choose a valid date range"}
	ErrBadQty            = &Error{Code: "bad_qty", Message: "Give a quantity of 0 or more"}
)

// errorf returns an *Error of kind's code with a message of its own.
func errorf(kind *Error, cause error, format string, args ...any) *Error {
	return &Error{Code: kind.Code, Message: fmt.Sprintf(format, args...), Err: cause}
}
