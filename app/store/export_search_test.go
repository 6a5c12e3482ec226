package store

// SetCommonTextRows lets tests take the text search's other path.
func SetCommonTextRows(n int) (restore func()) {
	old := commonTextRows
	commonTextRows = n
	return func() { commonTextRows = old }
}
