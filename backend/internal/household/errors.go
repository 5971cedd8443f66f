package household

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"dibao/backend/internal/platform/httpx"
	"dibao/backend/internal/platform/i18n"
)

// The answers of the registry, each naming what is wrong in both languages.

func errDivisionNotFound(field, code string) error {
	return httpx.Msg(http.StatusNotFound, "division_not_found",
		fmt.Sprintf("区划 %s 不存在或不在您的管辖范围内", code),
		fmt.Sprintf("Division %s does not exist or is outside your area", code)).
		WithDetails(map[string]any{"field": field, "division_code": code})
}

func errStale(current int) error {
	return httpx.Msg(http.StatusConflict, "stale_version",
		fmt.Sprintf("该户档案已被他人修改（当前版本 %d），请刷新后重新编辑", current),
		fmt.Sprintf("Someone else changed this household (it is now at version %d); reload it and edit again", current)).
		WithDetails(map[string]any{"field": "version", "version": current})
}

func errNoValue(field string) error {
	return httpx.Msg(http.StatusNotFound, "value_not_recorded", "该项未登记，没有可查看的内容",
		"Nothing is recorded in this field").WithDetails(map[string]any{"field": field})
}

func errAttachmentNotFound() error {
	return httpx.Msg(http.StatusNotFound, "attachment_not_found", "附件不存在", "No such attachment")
}

// errAttachmentNotYours is the 403 for removing a file one may not remove (after the guard
// has recorded the refusal).
func errAttachmentNotYours() error {
	return httpx.Msg(http.StatusForbidden, "attachment_not_yours",
		"没有权限删除此附件：只能删除本人上传且尚未用于案件办理的附件，其他附件须由可编辑户档案的工作人员删除",
		"You may not delete this attachment: you may delete only files you uploaded yourself that no step of a case uses; other files are removed by staff who may edit the household")
}

func errAttachmentCited() error {
	return httpx.Msg(http.StatusConflict, "attachment_in_case",
		"此附件已用于案件办理（申请的授权书或办理步骤的附件），不能删除",
		"This attachment is part of a step of a case (an application's authorisation scan or a step's file) and cannot be deleted")
}

// render turns a ValidationError into the 400 the client sees, in its language: a
// top-level message and every problem in details.errors [{field, message}].
func render(c *gin.Context, err error) error {
	ve, ok := err.(*ValidationError)
	if !ok {
		return err
	}
	en := httpx.Lang(c) == i18n.EN
	list := make([]map[string]string, len(ve.Problems))
	for i, p := range ve.Problems {
		msg := p.ZH
		if en {
			msg = p.EN
		}
		list[i] = map[string]string{"field": p.Field, "message": msg}
	}
	first := ve.Problems[0]
	zh, enMsg := first.ZH, first.EN
	if n := len(ve.Problems); n > 1 {
		zh = fmt.Sprintf("有 %d 处填写有误，请逐项修改。%s", n, first.ZH)
		enMsg = fmt.Sprintf("%d fields need correcting. %s", n, first.EN)
	}
	return httpx.Msg(http.StatusBadRequest, "validation_failed", zh, enMsg).
		WithDetails(map[string]any{"field": first.Field, "errors": list})
}
