package main

import (
	"strconv"
	"sync"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

type buildError struct {
	err    error
	output string
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + e.output }

func itoa(n int) string { return strconv.Itoa(n) }
