package posting

import "fmt"

// ItemError says why a practice record cannot be posted as it is. Code is stable for
// programs ("qbosync:invalid-email"); Field names the practice field; Explanation
// tells a bookkeeper what to do.
type ItemError struct {
	Code        string
	Field       string
	Message     string
	Explanation string
}

func (e *ItemError) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}
