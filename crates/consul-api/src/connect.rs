//! Connect (`/v1/connect`): the CA, intentions, and the agent's Connect endpoints.
