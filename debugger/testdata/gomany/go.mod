module gomany

go 1.23
