package assets

import _ "embed"

//go:generate go test -run TestFilesUpToDate -update .

// Icon is the app icon, a 512×512 PNG.
//
//go:embed icon.png
var Icon []byte

// The scan feedback sounds, RIFF/WAVE files of 16-bit mono PCM at 22.05 kHz.
var (
	//go:embed sounds/good.wav
	GoodWAV []byte
	//go:embed sounds/warn.wav
	WarnWAV []byte
	//go:embed sounds/bad.wav
	BadWAV []byte
)
