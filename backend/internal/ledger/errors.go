package ledger

import (
	"fmt"
	"net/http"

	"dibao/backend/internal/platform/httpx"
)

// The answers of the ledger import, each naming what is wrong in both languages.

func errJobNotFound() error {
	return httpx.Msg(http.StatusNotFound, "import_job_not_found", "导入任务不存在", "No such import job")
}

func errDivisionNotFound(code string) error {
	return httpx.Msg(http.StatusNotFound, "division_not_found",
		fmt.Sprintf("区划 %s 不存在或不在您的管辖范围内", code),
		fmt.Sprintf("Division %s does not exist or is outside your area", code)).
		WithDetails(map[string]any{"field": "division", "division_code": code})
}

func errBusy(job int64) error {
	zh, en := "本县已有一项台账导入正在进行，请等它完成后再上传", "An import is already running in this county; upload again when it has finished"
	details := map[string]any{}
	if job > 0 {
		zh = fmt.Sprintf("本县已有一项台账导入正在进行（任务 %d），请等它完成后再上传", job)
		en = fmt.Sprintf("An import is already running in this county (job %d); upload again when it has finished", job)
		details["job_id"] = job
	}
	return httpx.Msg(http.StatusConflict, "import_running", zh, en).WithDetails(details)
}

func errTooLarge(limit int64) error {
	return httpx.Msg(http.StatusRequestEntityTooLarge, "body_too_large",
		fmt.Sprintf("文件过大：台账文件最大 %d MB，请拆分后分批导入", limit>>20),
		fmt.Sprintf("The file is too large: a ledger file is at most %d MB; split it and import the parts", limit>>20)).
		WithDetails(map[string]any{"field": "file"})
}
