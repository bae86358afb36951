//go:build linux

package camera

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/blackjack/webcam"
	"golang.org/x/sys/unix"
)

// V4L2 pixel formats (fourcc codes) the webcam source reads.
const (
	pixYUYV webcam.PixelFormat = 'Y' | 'U'<<8 | 'Y'<<16 | 'V'<<24
	pixMJPG webcam.PixelFormat = 'M' | 'J'<<8 | 'P'<<16 | 'G'<<24
)

// WebcamOptions choose the device and frame size.
type WebcamOptions struct {
	// Device is the V4L2 device; empty means /dev/video0.
	Device string
	// Width and Height are the wanted frame size (default 1280x720); the
	// smallest size the camera offers that covers it is used, or its
	// largest when none does.
	Width, Height int
	// Now stamps frames; nil means time.Now.
	Now func() time.Time
}

// Webcam is a Source reading a Linux V4L2 camera in pure Go. It prefers
// YUYV, whose Y bytes are the luminance as is, and falls back to MJPEG.
type Webcam struct {
	cam           *webcam.Webcam
	format        webcam.PixelFormat
	width, height int
	now           func() time.Time
	y             []byte
}

// OpenWebcam opens and starts a camera.
func OpenWebcam(opts WebcamOptions) (*Webcam, error) {
	dev := opts.Device
	if dev == "" {
		dev = "/dev/video0"
	}
	if opts.Width <= 0 || opts.Height <= 0 {
		opts.Width, opts.Height = 1280, 720
	}
	cam, err := webcam.Open(dev)
	if err != nil {
		return nil, fmt.Errorf("open webcam %s: %w", dev, err)
	}
	w, err := startWebcam(cam, opts)
	if err != nil {
		cam.Close()
		return nil, fmt.Errorf("open webcam %s: %w", dev, err)
	}
	return w, nil
}

func startWebcam(cam *webcam.Webcam, opts WebcamOptions) (*Webcam, error) {
	formats := cam.GetSupportedFormats()
	var format webcam.PixelFormat
	switch {
	case formats[pixYUYV] != "":
		format = pixYUYV
	case formats[pixMJPG] != "":
		format = pixMJPG
	default:
		var names []string
		for _, n := range formats {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("camera offers neither YUYV nor MJPEG, only: %s", strings.Join(names, ", "))
	}
	width, height, ok := chooseSize(cam.GetSupportedFrameSizes(format), opts.Width, opts.Height)
	if !ok {
		return nil, errors.New("camera lists no frame sizes")
	}
	// webcam v0.6.1's SetImageFormat returns the size asked for, not the one
	// the driver chose; choosing a listed size keeps the two equal, and
	// Next checks each frame's length anyway.
	got, _, _, err := cam.SetImageFormat(format, uint32(width), uint32(height))
	if err != nil {
		return nil, fmt.Errorf("set format %dx%d: %w", width, height, err)
	}
	if got != format {
		return nil, fmt.Errorf("driver switched pixel format to %#x", uint32(got))
	}
	// A few buffers keep latency low: the Scanner drains them continuously.
	if err := cam.SetBufferCount(4); err != nil {
		return nil, fmt.Errorf("set buffer count: %w", err)
	}
	if err := cam.StartStreaming(); err != nil {
		return nil, fmt.Errorf("start streaming: %w", err)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Webcam{cam: cam, format: format, width: width, height: height, now: now}, nil
}

// Size returns the frame size in use.
func (w *Webcam) Size() (width, height int) { return w.width, w.height }

// Next waits for the camera's next frame. The V4L2 wait has a granularity
// of one second, so ctx is noticed within a second.
func (w *Webcam) Next(ctx context.Context) (Frame, error) {
	for {
		if err := ctx.Err(); err != nil {
			return Frame{}, err
		}
		err := w.cam.WaitForFrame(1)
		var timeout *webcam.Timeout
		switch {
		case errors.As(err, &timeout), errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			return Frame{}, fmt.Errorf("wait for webcam frame: %w", err)
		}
		data, index, err := w.cam.GetFrame()
		if errors.Is(err, unix.EAGAIN) {
			continue
		}
		if err != nil {
			return Frame{}, fmt.Errorf("read webcam frame: %w", err)
		}
		f, err := w.convert(data)
		if rerr := w.cam.ReleaseFrame(index); rerr != nil && err == nil {
			err = fmt.Errorf("release webcam frame: %w", rerr)
		}
		if err != nil {
			return Frame{}, err
		}
		f.Time = w.now()
		return f, nil
	}
}

// convert turns a raw camera buffer into a frame owned by w.
func (w *Webcam) convert(data []byte) (Frame, error) {
	if w.format == pixMJPG {
		f, err := mjpegToY(data)
		if err != nil {
			return Frame{}, err
		}
		return f, nil
	}
	stride := 2 * w.width
	if len(data) >= 2*w.width*w.height && len(data)%w.height == 0 {
		stride = len(data) / w.height // rows padded by the driver
	}
	if cap(w.y) < w.width*w.height {
		w.y = make([]byte, w.width*w.height)
	}
	w.y = w.y[:w.width*w.height]
	if err := yuyvToY(w.y, data, w.width, w.height, stride); err != nil {
		return Frame{}, fmt.Errorf("convert webcam frame: %w", err)
	}
	return Frame{Y: w.y, Width: w.width, Height: w.height, Stride: w.width}, nil
}

// Close stops streaming and closes the device.
func (w *Webcam) Close() error {
	if err := w.cam.Close(); err != nil {
		return fmt.Errorf("close webcam: %w", err)
	}
	return nil
}

var _ Source = (*Webcam)(nil)

// chooseSize picks the frame size for a wanted one from what the camera
// lists: the smallest that covers it, else the largest. Stepwise ranges
// offer the wanted size itself, clamped and aligned to the step.
func chooseSize(sizes []webcam.FrameSize, wantW, wantH int) (width, height int, ok bool) {
	type size struct{ w, h int }
	var cands []size
	for _, s := range sizes {
		if s.StepWidth == 0 && s.StepHeight == 0 {
			cands = append(cands, size{int(s.MaxWidth), int(s.MaxHeight)})
			continue
		}
		cands = append(cands, size{
			stepClamp(wantW, int(s.MinWidth), int(s.MaxWidth), int(s.StepWidth)),
			stepClamp(wantH, int(s.MinHeight), int(s.MaxHeight), int(s.StepHeight)),
		})
	}
	if len(cands) == 0 {
		return 0, 0, false
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].w*cands[i].h < cands[j].w*cands[j].h })
	for _, c := range cands {
		if c.w >= wantW && c.h >= wantH {
			return c.w, c.h, true
		}
	}
	last := cands[len(cands)-1]
	return last.w, last.h, true
}

func stepClamp(v, lo, hi, step int) int {
	v = min(max(v, lo), hi)
	if step > 1 {
		v = lo + (v-lo+step-1)/step*step
		if v > hi {
			v -= step
		}
	}
	return v
}
