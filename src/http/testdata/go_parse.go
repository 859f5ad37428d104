// Reference answers for src/http/go_number_test.ts: for every input line
// (a JSON string), what Go's strconv and Go autoprof's "<float>s" duration
// rule make of it. Output, one line per input, tab-separated:
//
//	float: "ok <float64 bits, hex>" or "err"
//	int:   "ok <int64>" or "err"   (strconv.ParseInt base 10)
//	wait:  nanoseconds of the "<float>s" rule (int64; negative on overflow)
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		var s string
		if err := json.Unmarshal(in.Bytes(), &s); err != nil {
			fmt.Fprintln(os.Stderr, "bad input line:", err)
			os.Exit(2)
		}
		float := "err"
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			float = fmt.Sprintf("ok %016x", math.Float64bits(f))
		}
		integer := "err"
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			integer = fmt.Sprintf("ok %d", n)
		}
		var wait time.Duration
		if strings.HasSuffix(s, "s") {
			if f, err := strconv.ParseFloat(strings.TrimSuffix(s, "s"), 64); err == nil && !(f < 0) {
				wait = time.Duration(f * float64(time.Second))
			}
		}
		fmt.Fprintf(out, "%s\t%s\t%d\n", float, integer, int64(wait))
	}
}
