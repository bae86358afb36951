package main

import "github.com/driftless/driftless/client/scan/camera"

// cameraOpener opens a V4L2 camera.
func cameraOpener(dev string) func() (camera.Source, error) {
	return func() (camera.Source, error) {
		return camera.OpenWebcam(camera.WebcamOptions{Device: dev})
	}
}
