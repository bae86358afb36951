package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/client/scan/camera"
	"github.com/driftless/driftless/client/scan/decode"
)

var cameraDecoder = decode.New(decode.Options{})

// openCamera scans with the camera until the first code comes into view,
// which goes down the same path as a wedge scan.
func (f *scanField) openCamera() {
	src, err := f.u.opts.Camera()
	if err != nil {
		f.u.scanError(app.Feedback{Level: app.Bad, Title: "Camera unavailable", Detail: err.Error()})
		f.focus()
		return
	}
	ctx, cancel := context.WithCancel(f.u.ctx)
	var d dialog.Dialog
	open := true
	stop := func() { // on the UI goroutine
		cancel()
		if open {
			open = false
			d.Hide()
		}
	}
	sc := &camera.Scanner{
		Source:  src,
		Decoder: cameraDecoder,
		ROI:     camera.CenterROI(0.8, 0.5),
		OnScan: func(det camera.Detection) {
			text := scanText(det.Result)
			cancel()
			fyne.Do(func() {
				stop()
				f.submit(text)
			})
		},
	}
	msg := wrapped("Point the camera at the barcode and hold still.")
	d = dialog.NewCustom("Camera", "Cancel", container.NewVBox(msg, widget.NewProgressBarInfinite()), f.u.win)
	d.SetOnClosed(func() { open = false; cancel(); f.focus() })
	d.Show()
	go func() {
		defer src.Close()
		if err := sc.Serve(ctx); err != nil && !errors.Is(err, context.Canceled) {
			fyne.Do(func() {
				stop()
				f.u.scanError(app.Feedback{Level: app.Bad, Title: "Camera stopped", Detail: err.Error()})
			})
		}
	}()
}
