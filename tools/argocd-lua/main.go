// Command argocd-lua runs Argo CD custom health checks (Lua scripts) against Kubernetes objects the way
// Argo CD v3.5 does. It serves many checks from one process (a test starts it once rather than a process per
// check): each line of stdin is a request {"script": "...", "openLibs": false, "object": {...}}, each answered,
// in order, by a line {"health": {"status": "Healthy", "message": "..."}} or {"error": "..."}. Every check
// runs in a fresh Lua state.
//
// openLibs runs the script as Argo CD runs its built-in checks, or a custom one whose argocd-cm sets
// resource.customizations.useOpenLibs.<group_kind>: "true" (GetHealthScript, lines 169-205): with every
// standard library gopher-lua opens.
//
// What it mirrors of argoproj/argo-cd v3.5.1 util/lua/lua.go (read there, written here):
//   - a gopher-lua state with SkipOpenLibs (custom checks run without useOpenLibs), then only the package,
//     base and table libraries opened (lines 76-90): no string, math, io or debug library, and no global
//     `os`; `require("os")` returns a safe os with time and date only (line 100, oslib_safe.go). Argo CD
//     also calls its OpenSafeOs, but that registers under the name "table", which is already loaded, so
//     gopher-lua's RegisterModule (auxlib.go:289-304) adds nothing: the global `os` stays nil.
//   - a one-second context (line 102);
//   - the object as the global `obj`, numbers as Lua numbers (decodeValue, lines 601-635);
//   - the value left on the stack read as the result (ExecuteHealthLua, lines 132-165): a table goes through
//     gopher-json and encoding/json into {status, message}; an empty table or nil is an empty health; an
//     unknown status becomes Unknown "Lua returned an invalid health status"; any other type an error.
//
// An error (a Lua runtime error, a wrong return type) is answered with its text, which Argo CD shows as the
// message of an Unknown health (gitops-engine pkg/health/health.go:78-85).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
	luajson "layeh.com/gopher-json"
)

// Health is gitops-engine's HealthStatus as it is serialized.
type Health struct {
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
}

// The statuses gitops-engine accepts from a script (isValidHealthStatusCode).
var validStatuses = map[string]bool{
	"Unknown": true, "Progressing": true, "Suspended": true, "Healthy": true, "Degraded": true, "Missing": true,
}

func main() {
	if len(os.Args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: argocd-lua < requests (one JSON request per line; see the package comment)")
		os.Exit(2)
	}
	if err := serve(os.Stdin, os.Stdout); err != nil {
		fail(err)
	}
}

// request is one line of the input.
type request struct {
	Script   string         `json:"script"`
	OpenLibs bool           `json:"openLibs"`
	Object   map[string]any `json:"object"`
}

// response is one line of the output: the health, or the error Argo CD would show as Unknown.
type response struct {
	Health *Health `json:"health,omitempty"`
	Error  string  `json:"error,omitempty"`
}

func serve(in io.Reader, out io.Writer) error {
	requests := json.NewDecoder(in)
	responses := json.NewEncoder(out)
	for {
		var req request
		if err := requests.Decode(&req); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		health, err := runHealth(req.Script, req.Object, req.OpenLibs)
		answer := response{Health: &health}
		if err != nil {
			answer = response{Error: err.Error()}
		}
		if err := responses.Encode(answer); err != nil {
			return err
		}
	}
}

func runHealth(script string, object map[string]any, openLibs bool) (Health, error) {
	l := lua.NewState(lua.Options{SkipOpenLibs: !openLibs})
	defer l.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
	} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(lib.open), Protect: true}, lua.LString(lib.name)); err != nil {
			return Health{}, err
		}
	}
	l.PreloadModule(lua.OsLibName, openSafeOs)

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.SetContext(ctx)

	l.SetGlobal("actionParams", l.NewTable())
	l.SetGlobal("obj", toLua(l, object))
	if err := l.DoString(script); err != nil {
		var apiErr *lua.ApiError
		if errors.As(err, &apiErr) && apiErr.Type == lua.ApiErrorRun {
			apiErr.StackTrace = "" // Argo CD drops the stack trace from what users see
		}
		return Health{}, err
	}

	result := l.Get(-1)
	switch result.Type() {
	case lua.LTNil:
		return Health{}, nil
	case lua.LTTable:
		encoded, err := luajson.Encode(result)
		if err != nil {
			return Health{}, err
		}
		var health Health
		if err := json.Unmarshal(encoded, &health); err != nil {
			// gopher-json writes an empty table as [], which Argo CD reads as an empty health; its errors.As
			// matches any type error (a number as status too), so do we.
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) {
				return Health{}, nil
			}
			return Health{}, err
		}
		if !validStatuses[health.Status] {
			return Health{Status: "Unknown", Message: "Lua returned an invalid health status"}, nil
		}
		return health, nil
	default:
		return Health{}, fmt.Errorf("expect table output from Lua script, not %s", result.Type().String())
	}
}

// toLua converts decoded JSON the way Argo CD's decodeValue does: objects and arrays become tables,
// JSON null (and anything else) nil.
func toLua(l *lua.LState, value any) lua.LValue {
	switch v := value.(type) {
	case bool:
		return lua.LBool(v)
	case float64:
		return lua.LNumber(v)
	case string:
		return lua.LString(v)
	case []any:
		array := l.CreateTable(len(v), 0)
		for _, item := range v {
			array.Append(toLua(l, item))
		}
		return array
	case map[string]any:
		table := l.CreateTable(0, len(v))
		for key, item := range v {
			table.RawSetH(lua.LString(key), toLua(l, item))
		}
		return table
	}
	return lua.LNil
}

// openSafeOs is the module `require("os")` returns: the clock, nothing that touches the host.
func openSafeOs(l *lua.LState) int {
	l.Push(l.SetFuncs(l.NewTable(), map[string]lua.LGFunction{"time": osTime, "date": osDate}))
	return 1
}

// osTime: seconds since the epoch, now or for a {year, month, day, hour=12, min=0, sec=0} table.
func osTime(l *lua.LState) int {
	if l.GetTop() == 0 {
		l.Push(lua.LNumber(time.Now().Unix()))
		return 1
	}
	fields := l.CheckTable(1)
	field := func(name string, fallback int) int {
		if n, ok := fields.RawGetString(name).(lua.LNumber); ok {
			return int(n)
		}
		return fallback
	}
	t := time.Date(field("year", -1), time.Month(field("month", -1)), field("day", -1),
		field("hour", 12), field("min", 0), field("sec", 0), 0, time.Local)
	l.Push(lua.LNumber(t.Unix()))
	return 1
}

// osDate: a time (now, or the seconds given) as a "*t" table or formatted with strftime's common
// conversions; a leading "!" means UTC.
func osDate(l *lua.LState) int {
	format := l.OptString(1, "%c")
	t := time.Now()
	if l.GetTop() >= 2 {
		t = time.Unix(int64(l.CheckNumber(2)), 0)
	}
	if strings.HasPrefix(format, "!") {
		t, format = t.UTC(), format[1:]
	}
	if format == "*t" {
		table := l.NewTable()
		for name, value := range map[string]int{
			"year": t.Year(), "month": int(t.Month()), "day": t.Day(), "hour": t.Hour(), "min": t.Minute(),
			"sec": t.Second(), "wday": int(t.Weekday()) + 1, "yday": t.YearDay(),
		} {
			table.RawSetString(name, lua.LNumber(value))
		}
		table.RawSetString("isdst", lua.LFalse)
		l.Push(table)
		return 1
	}
	layouts := map[byte]string{
		'Y': "2006", 'y': "06", 'm': "01", 'd': "02", 'H': "15", 'M': "04", 'S': "05", 'p': "PM",
		'b': "Jan", 'B': "January", 'a': "Mon", 'A': "Monday", 'c': time.ANSIC, 'x': "01/02/06", 'X': "15:04:05",
	}
	var out strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] == '%' && i+1 < len(format) {
			i++
			if layout, ok := layouts[format[i]]; ok {
				out.WriteString(t.Format(layout))
			} else {
				out.WriteByte(format[i])
			}
			continue
		}
		out.WriteByte(format[i])
	}
	l.Push(lua.LString(out.String()))
	return 1
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "argocd-lua:", err)
	os.Exit(2)
}
