// Package scan is the handheld's scanning engine: everything between a
// barcode in front of the device and what that barcode means for the task on
// screen. It holds no code itself; its sub-packages split the work by where
// the input comes from and how far it has been understood:
//
//   - decode turns images and camera luminance frames into barcode text
//     (gozxing, with our own multi-format reader).
//   - camera yields luminance frames from a V4L2 webcam, image files or (later)
//     the Android camera, and runs continuous scanning over them: decode in a
//     region of interest, report each code once until it leaves the view,
//     drop frames rather than fall behind.
//   - wedge reads hardware scanners that type into the focused field as a
//     keyboard: it tells scanner bursts from human typing by inter-key
//     timing, strips the configured prefix and suffix, and never drops or
//     merges rapid consecutive scans.
//   - gs1 parses what a scan says: GS1 element strings (with symbology
//     identifiers, GS separators or in bracketed form) into Application
//     Identifiers with check digits and dates validated, and classifies the
//     rest as EAN/UPC GTINs or internal codes.
//   - resolve turns a parsed scan into what it means for the device's
//     catalog: a SKU and a quantity with lot, expiry and serial, a location,
//     a purchase order or an SSCC pallet, or unknown (never a guess).
//
// The flow is decode or wedge (text) → gs1 (structure) → resolve (meaning).
// None of these packages imports Fyne: the UI feeds key events to wedge and
// shows frames from camera.
package scan
