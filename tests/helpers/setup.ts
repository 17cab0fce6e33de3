process.env.TZ = 'Australia/Brisbane';
process.env.LOG_LEVEL ??= 'silent';
