module goreturns

go 1.22
