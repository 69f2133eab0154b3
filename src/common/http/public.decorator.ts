import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'identity:public';

/** No authentication at all; read by identity's AuthGuard. Declared here so operations routes can use it. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
