//go:build !linux

package main

import (
	"errors"

	"github.com/driftless/driftless/client/scan/camera"
)

// cameraOpener: only Linux cameras are supported so far.
func cameraOpener(string) func() (camera.Source, error) {
	return func() (camera.Source, error) { return nil, errors.New("no camera support on this platform") }
}
