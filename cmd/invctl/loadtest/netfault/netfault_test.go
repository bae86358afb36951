package netfault

import (
	"bufio"
	"io"
	"net"
	"testing"
	"time"
)

// echo starts a line echo server.
func echo(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(t *testing.T, c net.Conn, r *bufio.Reader, timeout time.Duration) (time.Duration, error) {
	start := time.Now()
	c.SetDeadline(time.Now().Add(timeout))
	if _, err := c.Write([]byte("ping\n")); err != nil {
		return 0, err
	}
	line, err := r.ReadString('\n')
	if err != nil {
		return 0, err
	}
	if line != "ping\n" {
		t.Fatalf("echo %q", line)
	}
	return time.Since(start), nil
}

func TestFaults(t *testing.T) {
	p, err := Start(echo(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	if _, err := roundTrip(t, c, r, time.Second); err != nil {
		t.Fatal(err)
	}
	p.SetLatency(100 * time.Millisecond)
	if d, err := roundTrip(t, c, r, 2*time.Second); err != nil || d < 200*time.Millisecond {
		t.Fatalf("latency: %v %v, want ≥ 200ms", d, err)
	}
	p.Heal()
	p.SetBandwidth(20 << 10) // 20 KiB/s: 40 KiB takes ≥ 2 s each way
	big := make([]byte, 40<<10)
	start := time.Now()
	go c.Write(big)
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(r, make([]byte, len(big))); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 1900*time.Millisecond {
		t.Fatalf("40 KiB at 20 KiB/s took %v", d)
	}
	p.Heal()
	p.Blackhole(true)
	if _, err := roundTrip(t, c, r, 300*time.Millisecond); err == nil {
		t.Fatal("data crossed a black hole")
	}
	p.Heal()
	c.Close()

	// Reset: the client's next round trip fails at once.
	c2, _ := net.Dial("tcp", p.Addr())
	r2 := bufio.NewReader(c2)
	if _, err := roundTrip(t, c2, r2, time.Second); err != nil {
		t.Fatal(err)
	}
	if n := p.ResetAll(); n == 0 {
		t.Fatal("no link reset")
	}
	if _, err := roundTrip(t, c2, r2, time.Second); err == nil {
		t.Fatal("connection survived a reset")
	}

	// Half-open: writes succeed, nothing comes back, no close, no reset.
	c3, _ := net.Dial("tcp", p.Addr())
	defer c3.Close()
	r3 := bufio.NewReader(c3)
	if _, err := roundTrip(t, c3, r3, time.Second); err != nil {
		t.Fatal(err)
	}
	p.HalfOpenAll()
	_, err = roundTrip(t, c3, r3, 300*time.Millisecond)
	if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Fatalf("half-open connection: %v, want a timeout (no close, no reset)", err)
	}

	p.Refuse(true)
	if c4, err := net.Dial("tcp", p.Addr()); err == nil {
		c4.SetReadDeadline(time.Now().Add(time.Second))
		if _, err := c4.Read(make([]byte, 1)); err == nil {
			t.Fatal("refused connection delivered data")
		}
		c4.Close()
	}
}
