import CCurl
import COpenSSL
import Glibc
import Mustache

/// The least memory a build of this app can idle in: a program that loads only what the app
/// must (swift-mustache and with it Foundation, libcurl with Debian's dependency tree,
/// OpenSSL's random generator), uses each once, then waits. bench/rss-floor.sh compares its
/// RSS with the idle app's, so the app's own share of its footprint is a measured number.
var library = MustacheLibrary()
try library.register("<p>{{name}}</p>", named: "page")
_ = library.render(["name": "floor"], withTemplate: "page")
var bytes = [UInt8](repeating: 0, count: 32)
_ = RAND_bytes(&bytes, Int32(bytes.count))
_ = curl_global_init(3)  // CURL_GLOBAL_DEFAULT, as the app's HTTP client does
// Unbuffered, so the script sees it while the program waits.
let ready = Array("ready\n".utf8)
_ = ready.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
pause()
