// Package decode reads barcodes from images and camera frames: QR Code,
// Data Matrix, Aztec, EAN-13, EAN-8, UPC-A, UPC-E, Code 128, Code 39,
// Code 93, ITF and Codabar, over github.com/makiuchi-d/gozxing.
//
// gozxing ports ZXing's single-format readers but has no multi-format
// reader; Decoder is ours. For each image it tries, and stops at the first
// code read:
//
//  1. the 2D readers in pure mode (a synthetic, upright symbol is sampled
//     directly, which is quick and fails quickly);
//  2. the 2D readers' detectors on the hybrid-binarized image;
//  3. the 1D readers row by row from the middle out (every row when trying
//     harder), each row forwards and backwards (upside-down codes) and, with
//     TryInverted, colour-swapped; when trying harder, again on the image
//     turned a quarter turn (vertical codes);
//  4. with TryInverted, the 2D detectors on the inverted image.
//
// Each 1D row is binarized once and turned into run lengths; a reader is
// only called when its start pattern and quiet zone could be on the row
// (prefilter.go), which spares most of gozxing's per-row cost on
// photographs. A 1D read counts once two rows agree, or one row and the
// same row averaged with its neighbours: this is what keeps textures and
// stripes from reading as EAN-8 or UPC-E.
//
// Fixes over gozxing's raw results: a UPC-A symbol is reported as UPC_A
// (not as EAN_13 with a leading 0) whenever UPC_A is enabled; Code 128 data
// above 127, which gozxing returns as raw ISO-8859-1 bytes inside a Go
// string, is converted to UTF-8 in Result.Text and kept as bytes in
// Result.Bytes; GS1-128's leading FNC1 shows as Symbology "]C1" and later
// FNC1s as GS (0x1D) in the text.
//
// Image files are read with LoadLuminance: PNG files are decoded row by
// row straight to the 8-bit luminance plane (png.go), others through the
// standard library's decoders. The 2D detectors' black matrix is gozxing's
// hybrid binarization computed over the plane in place (hybrid.go).
//
// Frames from a camera are decoded in place with DecodeLuminance: the Y
// plane is wrapped as a gozxing LuminanceSource with its stride and region
// of interest, without copying the frame. A Decoder is safe for concurrent
// use.
//
// The decoder is measured against ZXing's own blackbox photographs
// (blackbox_test.go, and `make bench-decode` beside ZXing-C++ and ZBar).
package decode
