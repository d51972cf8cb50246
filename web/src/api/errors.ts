// What a citizen reads when a call fails: the API's reason codes (google.rpc.ErrorInfo) in
// plain Vietnamese, with the field named when the API names one.

const reasons: Record<string, string> = {
  NETWORK: "Không kết nối được với máy chủ. Xin kiểm tra mạng và thử lại.",
  UPSTREAM_UNAVAILABLE: "Hệ thống đang tạm gián đoạn. Xin thử lại sau ít phút.",
  UPSTREAM_NOT_CONFIGURED: "Hệ thống đang tạm gián đoạn. Xin thử lại sau ít phút.",
  RATE_LIMITED: "Bạn thao tác quá nhanh. Xin chờ vài giây rồi thử lại.",
  BODY_TOO_LARGE: "Nội dung gửi quá dài.",
  TENANT_NOT_FOUND: "Không tìm thấy xã này trên hệ thống.",
  HAMLET_UNKNOWN: "Xin chọn thôn (tổ dân phố) trong danh sách.",
  TEXT_REQUIRED: "Xin nhập nội dung.",
  CONTACT_INVALID: "Cách nhận trả lời đã chọn cần đúng loại liên hệ: SMS, Zalo cần số điện thoại; thư điện tử cần địa chỉ thư.",
  TEXT_TOO_LONG: "Nội dung quá dài.",
  FIELD_REQUIRED: "Xin điền đủ các mục bắt buộc.",
  NO_ROUND: "Hiện chưa có đợt lấy ý kiến nào đang mở.",
  ROUND_NOT_FOUND: "Đợt lấy ý kiến này không còn.",
  RECEIPT_CODE_INVALID: "Mã tiếp nhận không đúng dạng. Xin kiểm tra lại.",
  RECEIPT_CODE_UNKNOWN: "Không tìm thấy ý kiến với mã tiếp nhận này.",
  RECEIPT_NOT_FOUND: "Không tìm thấy ý kiến với mã tiếp nhận này.",
  VOTER_ALREADY_ASKED: "Cử tri này đã gửi đề nghị đối thoại rồi.",
  SESSION_NOT_FOUND: "Không tìm thấy hội nghị này, hoặc hội nghị chưa được thông báo.",
  SESSION_STATE: "Hội nghị không ở giai đoạn cho phép việc này.",
  DATE_PASSED: "Ngày hội nghị đã qua. Nếu hội nghị đã tổ chức, xin ghi lý do nhập sau.",
  DATE_NOT_PASSED: "Hội nghị chưa diễn ra; chỉ ghi lý do nhập sau cho hội nghị đã tổ chức.",
  CHAIR_REQUIRED: "Xin ghi người chủ trì trước khi thông báo hội nghị.",
  LEAD_TIME_NOT_PASSED: "Chưa hết thời hạn thông báo trước; chỉ Chủ tịch được khai mạc sớm, có ghi lý do.",
  STEP_OUT_OF_ORDER: "Các bước của chương trình đi lần lượt. Xin tải lại trang.",
  SPEAKER_NOT_WAITING: "Người này không còn trong danh sách chờ.",
  SPEAKER_ALREADY_CALLED: "Người này đã được mời phát biểu.",
  SPEAKER_NOT_CALLED: "Người này chưa được mời phát biểu.",
  NOT_ANSWERED: "Xin ghi câu trả lời trước khi ghi ý kiến lại.",
  CONCLUSION_STEP_NOT_REACHED: "Chủ trì kết luận ở bước cuối của chương trình.",
  CONCLUSION_EMPTY: "Kết luận cần ít nhất một nội dung.",
  OUTCOME_REQUIRED: "Xin chọn kết quả cho từng nội dung kết luận.",
  AGENCY_REQUIRED: "Xin ghi cơ quan thực hiện cho nội dung chưa giải quyết.",
  ACTION_REQUIRED: "Xin ghi việc phải làm cho nội dung chưa giải quyết.",
  DUE_DATE_REQUIRED: "Xin ghi hạn hoàn thành.",
  DUE_BEFORE_CONFERENCE: "Hạn hoàn thành không được trước ngày hội nghị.",
  MINUTES_APPROVED: "Biên bản đã được phê duyệt, không sửa được nữa.",
  ALREADY_APPROVED: "Bạn đã phê duyệt biên bản này rồi.",
  ROLE_FORBIDDEN: "Vai trò của bạn không được làm việc này.",
  STAFF_ONLY: "Việc này chỉ dành cho cán bộ của xã.",
  TENANT_FORBIDDEN: "Tài khoản của bạn không làm việc với dữ liệu của xã này.",
  PLAN_NOT_PUBLISHED: "Kế hoạch chưa được ban hành.",
  USERNAME_INVALID: "Tên đăng nhập dùng 3 đến 64 chữ thường không dấu, chữ số, dấu chấm, gạch dưới hoặc gạch ngang.",
  USERNAME_TAKEN: "Tên đăng nhập này đã có người dùng.",
  DISPLAY_NAME_REQUIRED: "Xin ghi họ tên người dùng tài khoản.",
  ROLES_REQUIRED: "Xin chọn ít nhất một vai trò.",
  DEPARTMENT_REQUIRED: "Tài khoản Phòng chuyên môn cần ghi tên phòng, ban.",
  PASSWORD_TOO_SHORT: "Mật khẩu cần ít nhất 10 ký tự.",
  PASSWORD_TOO_LONG: "Mật khẩu quá dài (tối đa 256 ký tự).",
  ACCOUNT_ADMIN_ONLY: "Chỉ Chủ tịch xã (cho cán bộ của xã) hoặc quản trị hệ thống được làm việc này.",
  ACCOUNT_NOT_FOUND: "Không tìm thấy tài khoản này.",
  NOTHING_SELECTED: "Xin chọn ít nhất một ý kiến đang ở bước này.",
  SOURCES_REQUIRED: "Xin chọn ít nhất một ý kiến để gộp.",
  ROUND_MISMATCH: "Chỉ gộp các ý kiến của cùng một đợt lấy ý kiến.",
  INVALID_OPINION_STATE: "Ý kiến không ở bước cho phép việc này. Xin tải lại trang.",
  TITLE_REQUIRED: "Xin ghi tên kế hoạch.",
  DATE_REQUIRED: "Xin ghi ngày.",
  WINDOW_REVERSED: "Ngày muộn nhất của hội nghị đang trước ngày sớm nhất.",
  CONFERENCE_OUTSIDE_PLAN_YEAR: "Hội nghị phải trong năm của kế hoạch.",
  TASK_OUTSIDE_PLAN_YEAR: "Hạn của nhiệm vụ phải trong năm của kế hoạch.",
  DESCRIPTION_REQUIRED: "Xin ghi nội dung việc phải làm.",
  DUE_REQUIRED: "Xin ghi hạn của nhiệm vụ.",
  CONFERENCE_REQUIRED: "Kế hoạch cần ít nhất một hội nghị.",
  COUNT_INVALID: "Số người có mặt không hợp lệ.",
  NOT_SPEAKING_TIME: "Hội nghị chưa đến phần phát biểu hoặc đã kết thúc đăng ký.",
  WRITTEN_AT_VENUE: "Câu hỏi viết xin nộp tại hội trường.",
  NO_RESULT_YET: "Việc này đang được giải quyết; khi có kết quả bạn mới đánh giá được.",
  COMMITMENT_NOT_FOUND: "Không tìm thấy nội dung kết luận này cho mã tiếp nhận của bạn.",
  REOPEN_WHEN_SATISFIED: "Chỉ đề nghị xem xét lại khi chưa hài lòng với kết quả.",
  SATISFACTION_INVALID: "Xin cho biết bạn có hài lòng hay không.",
  PLAN_NOT_FOUND: "Không tìm thấy kế hoạch đã ban hành.",
  CONFERENCE_NOT_IN_PLAN: "Kế hoạch không có hội nghị này.",
  OPINION_DEADLINE_NOT_BEFORE_CONFERENCE: "Hạn thu phiếu phải trước ngày bắt đầu hội nghị theo kế hoạch.",
  ANSWER_DUE_BEFORE_DEADLINE: "Hạn trả lời không được trước hạn thu phiếu.",
  DATE_BEFORE_CONFERENCE: "Ngày ghi không được trước ngày tổ chức hội nghị.",
  ROUND_HAS_OPINIONS: "Đợt này đã có ý kiến nên không xóa được; xin sửa tên hoặc hạn của đợt.",
  TOKEN_EXPIRED: "Phiên đăng nhập đã hết hạn. Xin đăng nhập lại.",
  SESSION_EXPIRED: "Phiên đăng nhập đã hết hạn. Xin đăng nhập lại.",
  SIGN_IN_FAILED: "Tên đăng nhập hoặc mật khẩu không đúng.",
  ACCOUNT_LOCKED:
    "Tài khoản tạm bị khóa vì nhập sai mật khẩu nhiều lần. Xin thử lại sau 15 phút hoặc liên hệ Chủ tịch xã.",
  TOTP_REQUIRED: "Tài khoản này có xác thực hai bước: xin nhập mã 6 chữ số trong ứng dụng xác thực.",
  TOTP_CODE_INVALID: "Mã chưa đúng. Xin kiểm tra giờ trên điện thoại và nhập mã đang hiện.",
  TOTP_ALREADY_ENABLED: "Tài khoản đã bật xác thực hai bước.",
  TOTP_NOT_STARTED: "Xin bấm “Bật xác thực hai bước” trước.",
  ACCOUNT_NOT_YOURS: "Chỉ người dùng tài khoản tự bật xác thực hai bước.",
  CREDENTIALS_REQUIRED: "Xin nhập tên đăng nhập và mật khẩu.",
  OIDC_UNKNOWN_SUBJECT:
    "Cổng định danh đã xác nhận bạn, nhưng chưa có tài khoản nào của hệ thống gắn với bạn. Xin nhờ Chủ tịch xã hoặc tỉnh gắn tài khoản.",
  OIDC_DENIED: "Việc đăng nhập ở cổng định danh đã bị hủy. Xin thử lại.",
  OIDC_STATE_INVALID: "Lượt đăng nhập này đã hết hạn hoặc không do trình duyệt này bắt đầu. Xin bấm đăng nhập lại.",
  OIDC_FAILED: "Cổng định danh không xác nhận được lượt đăng nhập này. Xin thử lại.",
  OIDC_TOKEN_INVALID: "Không tin được xác nhận của cổng định danh. Xin thử lại; nếu vẫn lỗi, xin báo quản trị của tỉnh.",
  OIDC_PROVIDER_UNREACHABLE: "Không kết nối được cổng định danh của tỉnh. Xin thử lại sau hoặc đăng nhập bằng tài khoản do xã cấp.",
  OIDC_NOT_CONFIGURED: "Hệ thống này chưa nối với cổng định danh của tỉnh. Xin đăng nhập bằng tài khoản do xã cấp.",
  OIDC_SUBJECT_TAKEN: "Mã định danh này đã gắn với một tài khoản khác.",
  OIDC_SUBJECT_INVALID: "Mã định danh không hợp lệ.",
  CSRF_TOKEN_INVALID: "Phiên làm việc không hợp lệ. Xin tải lại trang.",
  NUMBER_REQUIRED: "Xin ghi số, ký hiệu của văn bản.",
  SIGNER_REQUIRED: "Xin ghi người ký và lưu dự thảo trước khi ban hành.",
  ETAG_MISMATCH: "Nội dung vừa được người khác sửa. Xin tải lại trang.",
  OTHER_DEPARTMENT: "Ý kiến này không giao cho phòng, ban của bạn.",
  NAME_INVALID: "Đường dẫn không đúng.",
  ROUTE_NOT_FOUND: "Đường dẫn không đúng.",
  INTERNAL: "Hệ thống gặp lỗi. Lỗi đã được ghi lại; xin thử lại sau.",
};

const byStatus: Record<number, string> = {
  400: "Thông tin gửi chưa hợp lệ. Xin kiểm tra lại.",
  404: "Không tìm thấy nội dung yêu cầu.",
  409: "Nội dung đã thay đổi. Xin tải lại trang.",
  429: reasons.RATE_LIMITED,
  502: reasons.UPSTREAM_UNAVAILABLE,
  503: reasons.UPSTREAM_UNAVAILABLE,
  504: reasons.UPSTREAM_UNAVAILABLE,
};

export class ApiError extends Error {
  constructor(
    readonly reason: string,
    readonly status: number,
    readonly field: string,
  ) {
    super(reasons[reason] ?? byStatus[status] ?? "Có lỗi xảy ra. Xin thử lại sau.");
  }
}

type Detail = { "@type"?: string; reason?: string; fieldViolations?: { field?: string }[] };

// {"error":{"code":400,"status":"INVALID_ARGUMENT","message":"...","details":[...]}}
export function errorOf(status: number, body: unknown): ApiError {
  const details: Detail[] =
    (body as { error?: { details?: Detail[] } } | undefined)?.error?.details ?? [];
  const reason = details.find((d) => d.reason)?.reason ?? "";
  const field = details.flatMap((d) => d.fieldViolations ?? []).find((v) => v.field)?.field ?? "";
  return new ApiError(reason, status, field);
}
