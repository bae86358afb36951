//go:build linux

package camera

import (
	"testing"

	"github.com/blackjack/webcam"
)

func TestChooseSize(t *testing.T) {
	discrete := func(w, h uint32) webcam.FrameSize {
		return webcam.FrameSize{MinWidth: w, MaxWidth: w, MinHeight: h, MaxHeight: h}
	}
	typical := []webcam.FrameSize{discrete(640, 480), discrete(1920, 1080), discrete(1280, 720), discrete(320, 240)}
	tests := []struct {
		name       string
		sizes      []webcam.FrameSize
		w, h       int
		wantW, wan int
		ok         bool
	}{
		{"exact", typical, 1280, 720, 1280, 720, true},
		{"smallest covering", typical, 800, 600, 1280, 720, true},
		{"largest when none covers", typical, 4000, 3000, 1920, 1080, true},
		{"stepwise clamps and aligns", []webcam.FrameSize{{MinWidth: 160, MaxWidth: 1280, StepWidth: 16,
			MinHeight: 120, MaxHeight: 720, StepHeight: 8}}, 1000, 700, 1008, 704, true},
		{"stepwise beyond max", []webcam.FrameSize{{MinWidth: 160, MaxWidth: 1280, StepWidth: 16,
			MinHeight: 120, MaxHeight: 720, StepHeight: 8}}, 4000, 4000, 1280, 720, true},
		{"nothing listed", nil, 1280, 720, 0, 0, false},
	}
	for _, tt := range tests {
		w, h, ok := chooseSize(tt.sizes, tt.w, tt.h)
		if w != tt.wantW || h != tt.wan || ok != tt.ok {
			t.Errorf("%s: chooseSize = %dx%d %v, want %dx%d %v", tt.name, w, h, ok, tt.wantW, tt.wan, tt.ok)
		}
	}
}

func TestPixelFormatCodes(t *testing.T) {
	// The fourcc values of linux/videodev2.h.
	if pixYUYV != 0x56595559 || pixMJPG != 0x47504a4d {
		t.Errorf("YUYV = %#x, MJPG = %#x", uint32(pixYUYV), uint32(pixMJPG))
	}
}

func TestOpenWebcamWithoutDevice(t *testing.T) {
	_, err := OpenWebcam(WebcamOptions{Device: t.TempDir() + "/video-none"})
	if err == nil {
		t.Fatal("opened a device that does not exist")
	}
}
