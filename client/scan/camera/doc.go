// Package camera turns camera frames into scans.
//
// A Source yields luminance frames (Frame: the Y plane, width, height,
// row stride, timestamp); luminance is all the barcode decoder reads, and
// it is what every camera delivers first (the Y plane of YUV formats), so
// no colour conversion happens on the scanning path. Sources:
//
//   - ReplaySource (OpenFiles, NewReplaySource): image files or prepared
//     frames, paced like a camera or not, once or looped; for tests and for
//     laptops without a camera (pick an image file).
//   - Webcam (Linux): V4L2 through github.com/blackjack/webcam in pure Go.
//     It prefers YUYV, whose even bytes are the Y plane, and falls back to
//     MJPEG, inserting the standard Huffman tables that UVC cameras leave
//     out. It cannot be exercised without a camera; its pixel conversions
//     and size choice are tested.
//
// Scanner runs continuous scanning over a Source: a reader goroutine
// drains the source into a three-buffer mailbox, and the decoding loop
// always takes the newest frame, so when decoding falls behind frames are
// dropped (counted in Stats) rather than queued. Each frame is decoded in
// the region of interest (ROI; CenterROI for the viewfinder). A code is
// reported once when it comes into view and again only after it has been
// absent for AbsentFrames decoded frames and AbsentFor time. Serve(ctx)
// owns the lifetime. The decoder is the small Decoder interface,
// implemented by client/scan/decode's *Decoder.
//
// # The Android camera (later)
//
// The handheld's camera plugs in as one more Source, in a file
// camera_android.go (//go:build android) using the NDK Camera2 API through
// cgo (#cgo LDFLAGS: -lcamera2ndk -lmediandk; headers
// <camera/NdkCameraManager.h>, <camera/NdkCameraDevice.h>,
// <media/NdkImageReader.h>):
//
//  1. Open: ACameraManager_create; ACameraManager_getCameraIdList and, per
//     id, ACameraManager_getCameraCharacteristics to pick the camera whose
//     ACAMERA_LENS_FACING is ACAMERA_LENS_FACING_BACK (and read
//     ACAMERA_SENSOR_ORIENTATION: frames arrive in sensor orientation, so
//     the ROI the UI shows must be rotated into it). The CAMERA permission
//     must have been granted at run time first, or opening fails.
//  2. AImageReader_new(1280, 720, AIMAGE_FORMAT_YUV_420_888, 3, &reader)
//     and AImageReader_getWindow(reader, &window).
//  3. ACameraManager_openCamera(id, callbacks, &device);
//     ACaptureSessionOutputContainer_create and ACaptureSessionOutput_create
//     (window); ACameraDevice_createCaptureRequest(device,
//     TEMPLATE_PREVIEW, &request) with ACameraOutputTarget_create(window)
//     added by ACaptureRequest_addTarget, and ACAMERA_CONTROL_AF_MODE set to
//     ACAMERA_CONTROL_AF_MODE_CONTINUOUS_PICTURE;
//     ACameraDevice_createCaptureSession and
//     ACameraCaptureSession_setRepeatingRequest.
//  4. AImageReader_setImageListener with a C callback that calls an
//     exported Go function, which does a non-blocking send on a
//     chan struct{} of capacity 1 (no Go work on the camera thread).
//  5. Next(ctx): first AImage_delete the image returned by the previous
//     call; then wait on that channel or ctx.Done(); then
//     AImageReader_acquireLatestImage(reader, &img) (it discards older
//     images itself; AMEDIA_IMGREADER_NO_BUFFER_AVAILABLE means wait
//     again). Plane 0 of YUV_420_888 is the Y plane with pixel stride 1:
//     AImage_getPlaneData(img, 0, &data, &length),
//     AImage_getPlaneRowStride(img, 0, &stride), AImage_getWidth and
//     AImage_getHeight give the frame; Y is unsafe.Slice((*byte)(data),
//     length), not copied: the Source contract keeps it valid until the
//     next Next or Close, which is exactly how long the AImage lives, and
//     the Scanner copies it into its own buffer at once. Time comes from
//     AImage_getTimestamp (nanoseconds, monotonic clock) offset to wall
//     time once at open.
//  6. Close: ACameraCaptureSession_stopRepeating and _close,
//     ACameraDevice_close, AImage_delete of the last image,
//     AImageReader_delete, ACameraManager_delete.
//
// Nothing above the Source changes: the Scanner, the decoder, gs1 and
// resolve are the same on Linux, in tests and on Android.
package camera
