import { defineErrors } from '../common/errors/app-error.js';

export const IdentityError = defineErrors('IdentityError', {
  invalid_token: { status: 401, message: 'The token is invalid or expired.' },
  invalid_api_key: { status: 401, message: 'The API key is unknown or revoked.' },
  invalid_env: { status: 400, message: 'X-Env must be test or live.' },
  invalid_tenant_header: { status: 400, message: 'X-Tenant-ID must be a tenant id (UUID).' },
  tenant_required: {
    status: 400,
    message: 'This route acts on a tenant: send X-Tenant-ID with a JWT, or use an API key.',
  },
  env_mismatch: { status: 400, message: 'X-Env does not match the API key’s environment.' },
  not_a_member: { status: 403, message: 'You are not a member of that tenant.' },
  forbidden_role: { status: 403, message: 'Your role may not do that.' },
  user_required: { status: 403, message: 'This route needs a signed-in user (JWT), not an API key.' },
  operator_required: { status: 403, message: 'This route is for platform operators.' },
  cannot_manage_owner: { status: 403, message: 'Only an owner may grant, change or remove the owner role.' },
  role_above_creator: { status: 403, message: 'An API key’s role cannot be above your own.' },
  member_not_found: { status: 404, message: 'No such member in this tenant.' },
  api_key_not_found: { status: 404, message: 'No such API key in this tenant and environment.' },
  already_member: { status: 409, message: 'That user is already a member of this tenant.' },
  last_owner: { status: 409, message: 'A tenant must keep at least one owner.' },
  email_in_use: { status: 409, message: 'That email belongs to another identity.' },
});
