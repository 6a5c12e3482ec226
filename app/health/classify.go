package health

import (
	"errors"
	"syscall"

	sqlite3 "modernc.org/sqlite/lib"
)

// Problem is the kind of storage failure an error shows.
type Problem int

// The storage problems, from none to the most specific.
const (
	// NoProblem: the error, if any, says nothing about the disk (a locked
	// database, a cancelled request, bad input).
	NoProblem Problem = iota
	// Full: no space left (SQLITE_FULL, ENOSPC, EDQUOT).
	Full
	// ReadOnly: the file system or the files refuse writes (SQLITE_READONLY, EROFS).
	ReadOnly
	// IOError: the disk fails reads or writes (SQLITE_IOERR, SQLITE_CANTOPEN, EIO).
	IOError
)

// String names the problem for logs.
func (p Problem) String() string {
	switch p {
	case Full:
		return "disk full"
	case ReadOnly:
		return "read-only disk"
	case IOError:
		return "disk I/O error"
	}
	return "none"
}

// sqliteError is modernc.org/sqlite's error, matched by behaviour.
type sqliteError interface {
	error
	Code() int
}

// Classify tells whether err comes from a disk that is full, read-only or
// failing. SQLITE_BUSY (another writer holds the lock) is not a disk problem.
func Classify(err error) Problem {
	if err == nil {
		return NoProblem
	}
	var se sqliteError
	if errors.As(err, &se) {
		// Extended result codes keep the primary code in the low byte.
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL:
			return Full
		case sqlite3.SQLITE_READONLY:
			return ReadOnly
		case sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
			return IOError
		}
	}
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return Full
	case errors.Is(err, syscall.EROFS), errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return ReadOnly
	case errors.Is(err, syscall.EIO):
		return IOError
	}
	return NoProblem
}
