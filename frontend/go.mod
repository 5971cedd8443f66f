module dibao/frontend

go 1.26.8
