// Handlers see HTTPCore's requests, responses and headers through `import HTTPServer` alone:
// the server's API is written in those types.
@_exported import HTTPCore
