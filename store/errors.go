package store

// ownerError is an error whose message is a finished sentence for the shop
// owner, while errors.Is still finds its kind and its cause.
type ownerError struct {
	msg   string
	kind  error
	cause error
}

func (e *ownerError) Error() string { return e.msg }

func (e *ownerError) Is(target error) bool { return target == e.kind }

func (e *ownerError) Unwrap() error { return e.cause }

// says wraps cause in a sentence of the given kind.
func says(kind, cause error, msg string) error {
	return &ownerError{msg: msg, kind: kind, cause: cause}
}
