module gorts

go 1.23
