package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func runGS1Cmd(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := newGS1Cmd()
	var out bytes.Buffer
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	if err := cmd.Execute(); err != nil {
		t.Fatalf("invctl gs1 %v: %v", args, err)
	}
	return out.String()
}

func TestGS1JSON(t *testing.T) {
	in := strings.Join([]string{
		"]C10109501101530003{GS}10ABC",
		"0109501101530003" + "17251231" + "10L<1>&2{GS}21SN",
		"(01)09501101530003(10)ABC",
		"4006381333931",
		"BIN-A-01-02",
		"]C10109501101530004",
		"{GS}0109501101530003" + "17251301",
		"",
	}, "\n") + "\r\n"
	out := runGS1Cmd(t, in, "--json")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")

	// The first line is byte for byte the documented shape.
	if want := `{"input":"]C10109501101530003{GS}10ABC","ok":true,"ais":[["01","09501101530003"],["10","ABC"]]}`; lines[0] != want {
		t.Errorf("line 1 = %s\nwant      %s", lines[0], want)
	}
	type line struct {
		Input string      `json:"input"`
		OK    bool        `json:"ok"`
		Kind  string      `json:"kind"`
		AIs   [][2]string `json:"ais"`
		Error string      `json:"error"`
	}
	want := []line{
		{Input: "]C10109501101530003{GS}10ABC", OK: true, AIs: [][2]string{{"01", "09501101530003"}, {"10", "ABC"}}},
		{Input: "0109501101530003" + "17251231" + "10L<1>&2{GS}21SN", OK: true,
			AIs: [][2]string{{"01", "09501101530003"}, {"17", "251231"}, {"10", "L<1>&2"}, {"21", "SN"}}},
		{Input: "(01)09501101530003(10)ABC", OK: true, AIs: [][2]string{{"01", "09501101530003"}, {"10", "ABC"}}},
		{Input: "4006381333931", OK: true, Kind: "ean13", AIs: [][2]string{}},
		{Input: "BIN-A-01-02", OK: true, Kind: "internal", AIs: [][2]string{}},
		{Input: "]C10109501101530004", Error: "gs1: position 6: AI (01): check digit is 4, want 3"},
		// Position 23 counts "{GS}" as the four characters typed.
		{Input: "{GS}0109501101530003" + "17251301", Error: "gs1: position 23: AI (17): month 13 is not 01-12"},
		{Input: "", Error: "empty line"},
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i, l := range lines {
		var got line
		if err := json.Unmarshal([]byte(l), &got); err != nil {
			t.Fatalf("line %d %q: %v", i+1, l, err)
		}
		w := want[i]
		if got.Input != w.Input || got.OK != w.OK || got.Kind != w.Kind || got.Error != w.Error || !equalAIs(got.AIs, w.AIs) {
			t.Errorf("line %d = %+v, want %+v", i+1, got, w)
		}
		if strings.Contains(l, `\u003c`) {
			t.Errorf("line %d escapes HTML characters: %s", i+1, l)
		}
	}
}

func equalAIs(a, b [][2]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestGS1Text(t *testing.T) {
	out := runGS1Cmd(t, "]C10109501101530003{GS}10ABC\n036000291452\n]C1ABC\n")
	want := "]C10109501101530003{GS}10ABC\t(01)09501101530003(10)ABC\n" +
		"036000291452\tupca GTIN 00036000291452\n" +
		"]C1ABC\terror: gs1: position 4: expected an AI, found 'A'\n"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}

func TestGS1Registered(t *testing.T) {
	for _, c := range subcommands {
		if c().Name() == "gs1" {
			return
		}
	}
	t.Fatal("gs1 is not registered in subcommands")
}
