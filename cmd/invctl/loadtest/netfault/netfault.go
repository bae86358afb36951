// Package netfault is a TCP proxy that injects network faults between real
// clients and a real server: latency, a bandwidth limit, connection resets,
// black-holing without a close, and half-open connections. Tests and
// `invctl loadtest` put it between simulated devices and syncd.
package netfault

import (
	"net"
	"sync"
	"time"
)

// Proxy forwards TCP connections from its own address to a target.
type Proxy struct {
	ln     net.Listener
	target string

	mu        sync.Mutex
	latency   time.Duration
	bandwidth int // bytes per second and direction; 0 = unlimited
	blackhole bool
	refuse    bool
	links     map[*link]struct{}
	wg        sync.WaitGroup
	closed    bool
}

// Start listens on a loopback port and forwards to target (host:port).
func Start(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, links: map[*link]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the proxy's address (host:port).
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// SetLatency delays every chunk of data by d in each direction.
func (p *Proxy) SetLatency(d time.Duration) { p.mu.Lock(); p.latency = d; p.mu.Unlock() }

// SetBandwidth limits each direction of each connection to bps bytes per
// second (0: unlimited).
func (p *Proxy) SetBandwidth(bps int) { p.mu.Lock(); p.bandwidth = bps; p.mu.Unlock() }

// Blackhole makes data vanish in both directions without closing anything
// (a dead Wi-Fi access point); new connections are accepted and go nowhere.
func (p *Proxy) Blackhole(on bool) { p.mu.Lock(); p.blackhole = on; p.mu.Unlock() }

// Refuse makes new connections fail at once (the server is unreachable).
func (p *Proxy) Refuse(on bool) { p.mu.Lock(); p.refuse = on; p.mu.Unlock() }

// Heal removes every fault.
func (p *Proxy) Heal() {
	p.mu.Lock()
	p.latency, p.bandwidth, p.blackhole, p.refuse = 0, 0, false, false
	p.mu.Unlock()
}

// open returns the links open now.
func (p *Proxy) open() []*link {
	p.mu.Lock()
	defer p.mu.Unlock()
	links := make([]*link, 0, len(p.links))
	for l := range p.links {
		links = append(links, l)
	}
	return links
}

// ResetAll aborts every open connection with a TCP reset on both sides.
func (p *Proxy) ResetAll() int {
	links := p.open()
	for _, l := range links {
		l.reset()
	}
	return len(links)
}

// HalfOpenAll drops the server side of every open connection silently:
// the server sees a close, the client sees nothing at all (its connection
// stays open and every byte it sends vanishes) until it notices by itself.
func (p *Proxy) HalfOpenAll() int {
	links := p.open()
	for _, l := range links {
		l.halfOpen()
	}
	return len(links)
}

// Close stops the proxy and closes every connection.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	err := p.ln.Close()
	p.ResetAll()
	p.wg.Wait()
	return err
}

func (p *Proxy) faults() (time.Duration, int, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.latency, p.bandwidth, p.blackhole
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		refuse := p.refuse
		p.mu.Unlock()
		if refuse {
			abort(c)
			continue
		}
		up, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			abort(c)
			continue
		}
		l := &link{p: p, down: c, up: up}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			abort(c)
			abort(up)
			return
		}
		p.links[l] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		go l.pipe(c, up, true)
		go l.pipe(up, c, false)
	}
}

func abort(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}

// link is one proxied connection.
type link struct {
	p        *Proxy
	down, up net.Conn
	mu       sync.Mutex
	upDead   bool
	done     bool
}

func (l *link) reset() {
	l.mu.Lock()
	l.done = true
	l.mu.Unlock()
	abort(l.down)
	abort(l.up)
}

func (l *link) halfOpen() {
	l.mu.Lock()
	l.upDead = true
	l.mu.Unlock()
	_ = l.up.Close()
}

func (l *link) finish() {
	l.p.mu.Lock()
	delete(l.p.links, l)
	l.p.mu.Unlock()
}

// pipe copies one direction of a link, applying the proxy's faults at the
// time of each chunk. Once the link is half-open, what the client sends is
// read and discarded, and the client side is left open and silent until
// the client closes it.
func (l *link) pipe(src, dst net.Conn, toServer bool) {
	defer l.p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			lat, bw, hole := l.p.faults()
			if !hole && !l.isHalfOpen() {
				if lat > 0 {
					time.Sleep(lat)
				}
				if bw > 0 {
					time.Sleep(time.Duration(float64(n) / float64(bw) * float64(time.Second)))
				}
				if _, werr := dst.Write(buf[:n]); werr != nil && !l.isHalfOpen() {
					err = werr
				}
			}
		}
		if err == nil {
			continue
		}
		if l.isHalfOpen() {
			if !toServer {
				return // the server side is gone; the client hears nothing
			}
			_ = src.Close() // the client gave up on its half-open connection
			l.finish()
			return
		}
		abort(src)
		abort(dst)
		l.finish()
		return
	}
}

func (l *link) isHalfOpen() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.upDead && !l.done
}
