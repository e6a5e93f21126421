/**
 * The one family of errors the HTTP layer knows how to answer. Everything else becomes a logged 500.
 * Bodies follow pretix (Django REST framework) so that pretix clients parse them unchanged.
 */
export type FieldErrors = { [field: string]: string[] | FieldErrors | FieldErrors[] };

export abstract class AppError extends Error {
  abstract readonly status: number;
  readonly headers: Record<string, string> = {};
  abstract body(): unknown;
}

export class ValidationError extends AppError {
  readonly status = 400;
  constructor(readonly errors: FieldErrors | string[]) {
    super('Validation failed');
  }
  /** Shortcut for one message on one field. */
  static field(field: string, message: string): ValidationError {
    return new ValidationError({ [field]: [message] });
  }
  body(): unknown {
    return this.errors;
  }
}

abstract class DetailError extends AppError {
  constructor(readonly detail: string) {
    super(detail);
  }
  body(): unknown {
    return { detail: this.detail };
  }
}

export class BadRequest extends DetailError {
  readonly status = 400;
}

export class NotAuthenticated extends DetailError {
  readonly status = 401;
  override readonly headers = { 'WWW-Authenticate': 'Token' };
  constructor(detail = 'Authentication credentials were not provided.') {
    super(detail);
  }
}

export class PermissionDenied extends DetailError {
  readonly status = 403;
  constructor(detail = 'You do not have permission to perform this action.') {
    super(detail);
  }
}

export class NotFound extends DetailError {
  readonly status = 404;
  constructor(detail = 'Not found.') {
    super(detail);
  }
}

export class MethodNotAllowed extends DetailError {
  readonly status = 405;
  constructor(method: string) {
    super(`Method "${method}" not allowed.`);
  }
}

export class Conflict extends DetailError {
  readonly status = 409;
  constructor(detail: string, retryAfterSeconds?: number) {
    super(detail);
    if (retryAfterSeconds !== undefined) this.headers['Retry-After'] = String(retryAfterSeconds);
  }
}

export class UnsupportedMediaType extends DetailError {
  readonly status = 415;
  constructor(contentType: string) {
    super(`Unsupported media type "${contentType}" in request.`);
  }
}

export class Throttled extends DetailError {
  readonly status = 429;
  constructor(detail: string, retryAfterSeconds: number) {
    super(detail);
    this.headers['Retry-After'] = String(retryAfterSeconds);
  }
}

export class ServiceUnavailable extends DetailError {
  readonly status = 503;
  constructor(detail = 'Service temporarily unavailable, try again later.', retryAfterSeconds = 5) {
    super(detail);
    this.headers['Retry-After'] = String(retryAfterSeconds);
  }
}

/** An error whose body is given whole, for endpoints whose spec prescribes a special shape (409/410 of downloads). */
export class CustomBodyError extends AppError {
  constructor(
    readonly status: number,
    private readonly payload: unknown,
    headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
    Object.assign(this.headers, headers);
  }
  body(): unknown {
    return this.payload;
  }
}
