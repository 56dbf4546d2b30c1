# json.awk: a small validating JSON reader in POSIX awk (mawk, gawk, busybox).
#
#   awk -f json.awk FILE                 print every scalar as PATH<TAB>VALUE
#   awk -f json.awk -v get=PATH FILE     print one value (exit 1 if absent)
#   awk -f json.awk -v check=1 FILE      validate only
#
# PATH joins object keys and array indexes (from 0) with dots, e.g.
# kernel_release, devices.1.name; an array or object also gets PATH#=count.
# Strings are printed decoded (\uXXXX outside ASCII as '?', newlines as
# spaces).  Exit status: 0 valid, 1 invalid JSON or get= path missing.
{ src = src $0 "\n" }
END {
	n = length(src); pos = 1; err = ""; found = 0
	ws()
	if (!value("")) { fail() }
	ws()
	if (pos <= n) { err = "trailing characters"; fail() }
	if (get != "" && !found) exit 1
	exit 0
}
function fail() {
	printf "json.awk: %s: invalid JSON at offset %d: %s\n", FILENAME, pos - 1, err > "/dev/stderr"
	exit 1
}
function ws(   c) {
	while (pos <= n) {
		c = substr(src, pos, 1)
		if (c != " " && c != "\t" && c != "\n" && c != "\r") return
		pos++
	}
}
function emit(path, v) {
	if (check) return
	if (get != "") { if (path == get) { print v; found = 1 } return }
	print path "\t" v
}
function join(path, k) { return path == "" ? k : path "." k }
function value(path,   c, t) {
	if (pos > n) { err = "unexpected end"; return 0 }
	c = substr(src, pos, 1)
	if (c == "{") return object(path)
	if (c == "[") return array(path)
	if (c == "\"") { if (!string()) return 0; emit(path, STR); return 1 }
	t = substr(src, pos, 5)
	if (t == "false") { pos += 5; emit(path, "false"); return 1 }
	t = substr(t, 1, 4)
	if (t == "true" || t == "null") { pos += 4; emit(path, t); return 1 }
	if (match(substr(src, pos, 64), /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/)) {
		emit(path, substr(src, pos, RLENGTH)); pos += RLENGTH; return 1
	}
	err = "unexpected character '" c "'"
	return 0
}
function object(path,   k, cnt, c) {
	pos++; ws(); cnt = 0
	if (substr(src, pos, 1) == "}") { pos++; emit(path "#", 0); return 1 }
	while (1) {
		ws()
		if (substr(src, pos, 1) != "\"") { err = "expected a key"; return 0 }
		if (!string()) return 0
		k = STR; ws()
		if (substr(src, pos, 1) != ":") { err = "expected ':'"; return 0 }
		pos++; ws()
		if (!value(join(path, k))) return 0
		cnt++; ws()
		c = substr(src, pos, 1); pos++
		if (c == "}") { emit(path "#", cnt); return 1 }
		if (c != ",") { pos--; err = "expected ',' or '}'"; return 0 }
	}
}
function array(path,   i, c) {
	pos++; ws(); i = 0
	if (substr(src, pos, 1) == "]") { pos++; emit(path "#", 0); return 1 }
	while (1) {
		ws()
		if (!value(join(path, i))) return 0
		i++; ws()
		c = substr(src, pos, 1); pos++
		if (c == "]") { emit(path "#", i); return 1 }
		if (c != ",") { pos--; err = "expected ',' or ']'"; return 0 }
	}
}
# Parses the string at pos (on its opening quote) into STR.
function string(   c, out, e) {
	pos++; out = ""
	while (pos <= n) {
		if (match(substr(src, pos, 256), /^[^"\\]+/)) {
			c = substr(src, pos, RLENGTH)
			if (c ~ /[\001-\037]/) { err = "control character in string"; return 0 }
			out = out c; pos += RLENGTH
			continue
		}
		c = substr(src, pos, 1)
		if (c == "\"") { pos++; STR = out; return 1 }
		# a backslash escape
		e = substr(src, pos + 1, 1)
		if (e == "\"" || e == "\\" || e == "/") out = out e
		else if (e == "n" || e == "r" || e == "t") out = out " "
		else if (e == "b" || e == "f") out = out ""
		else if (e == "u") {
			if (substr(src, pos + 2, 4) !~ /^[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]$/) {
				err = "bad \\u escape"; return 0
			}
			out = out "?"; pos += 4
		} else { err = "bad escape"; return 0 }
		pos += 2
	}
	err = "unterminated string"
	return 0
}
